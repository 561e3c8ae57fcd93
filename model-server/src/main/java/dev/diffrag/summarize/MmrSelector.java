package dev.diffrag.summarize;

import dev.diffrag.text.Vectors;
import java.util.ArrayList;
import java.util.List;

/**
 * Maximal marginal relevance (Carbonell and Goldstein 1998): picks sentences one at a time by
 * {@code λ·salience − (1 − λ)·max cosine similarity to the sentences already picked}, so a sentence that repeats a
 * picked one loses its salience to the redundancy penalty, within a {@link SummaryBudget}.
 */
public final class MmrSelector {

    /** One candidate: its salience in [0, 1], its sentence embedding and its token count. */
    public record Candidate(double salience, float[] embedding, int tokens) {}

    private final double lambda;

    public MmrSelector(double lambda) {
        if (lambda < 0 || lambda > 1) {
            throw new IllegalArgumentException("MMR lambda must be in [0, 1], got " + lambda);
        }
        this.lambda = lambda;
    }

    public double lambda() {
        return lambda;
    }

    /** Indices of the chosen candidates in ascending (document) order. */
    public List<Integer> select(List<Candidate> candidates, SummaryBudget budget) {
        List<Integer> chosen = new ArrayList<>();
        int tokens = 0;
        boolean[] used = new boolean[candidates.size()];
        while (chosen.size() < budget.maxSentences()) {
            int best = -1;
            double bestScore = Double.NEGATIVE_INFINITY;
            for (int i = 0; i < candidates.size(); i++) {
                Candidate candidate = candidates.get(i);
                if (used[i] || (budget.maxTokens() > 0 && tokens + candidate.tokens() > budget.maxTokens())) {
                    continue;
                }
                // the most similar pick's cosine, negative too; nothing picked yet: no penalty
                double redundancy = chosen.isEmpty() ? 0 : Double.NEGATIVE_INFINITY;
                for (int j : chosen) {
                    redundancy = Math.max(redundancy,
                            Vectors.cosine(candidate.embedding(), candidates.get(j).embedding()));
                }
                double score = lambda * candidate.salience() - (1 - lambda) * redundancy;
                if (score > bestScore) {
                    best = i;
                    bestScore = score;
                }
            }
            if (best < 0) {
                break;
            }
            used[best] = true;
            chosen.add(best);
            tokens += candidates.get(best).tokens();
        }
        return chosen.stream().sorted().toList();
    }
}
