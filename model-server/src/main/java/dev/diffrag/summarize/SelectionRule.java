package dev.diffrag.summarize;

import java.util.ArrayList;
import java.util.List;

/**
 * How sentences are picked from their salience: a lead prior first blends each sentence's salience with a score that
 * falls with its position ({@code (1 − β)·salience + β / (1 + position)}; news puts what matters first, and with only
 * a few hundred training articles the model's own position embeddings learn that bias imperfectly), then
 * {@link MmrSelector} picks within the budget.
 *
 * @param mmrLambda salience weight of MMR (1 − λ weighs redundancy)
 * @param leadPrior β in [0, 1]: 0 = the model's salience alone, 1 = position alone (LEAD-k when λ = 1)
 */
public record SelectionRule(double mmrLambda, double leadPrior) {

    public SelectionRule {
        if (mmrLambda < 0 || mmrLambda > 1 || leadPrior < 0 || leadPrior > 1) {
            throw new IllegalArgumentException("need mmrLambda and leadPrior in [0, 1], got " + mmrLambda + ", "
                    + leadPrior);
        }
    }

    /** Indices of the chosen sentences in document order; {@code salience} covers the sentences the model read. */
    public List<Integer> select(EmbeddedDocument document, double[] salience, SummaryBudget budget) {
        List<MmrSelector.Candidate> candidates = new ArrayList<>(salience.length);
        for (int s = 0; s < salience.length; s++) {
            candidates.add(new MmrSelector.Candidate(prior(salience[s], s), document.embeddings()[s],
                    SummaryBudget.tokens(document.sentence(s))));
        }
        return new MmrSelector(mmrLambda).select(candidates, budget);
    }

    /** The blended score of a sentence at {@code position} (0-based). */
    public double prior(double salience, int position) {
        return (1 - leadPrior) * salience + leadPrior / (1 + position);
    }
}
