package dev.diffrag.summarize.eval;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * ROUGE-1, ROUGE-2 and ROUGE-L F1 (Lin 2004) as Google's rouge-score computes {@code rouge1}, {@code rouge2} and
 * {@code rougeL} without stemming or stopword removal: text lower-cased, every non-alphanumeric character a separator,
 * n-gram overlaps with clipped counts, and ROUGE-L as the longest common subsequence of the whole candidate and the
 * whole reference token sequences. F1 = 2PR / (P + R), 0 when there is no overlap. ROUGE-1.5.5 run on one sentence per
 * line (as CNN/DM papers report it) computes ROUGE-L differently, as the summary-level union LCS over sentences
 * (rouge-score's {@code rougeLsum}), which scores higher: the two ROUGE-L values are not comparable.
 */
public final class Rouge {

    /** F1 scores in [0, 1]. */
    public record Scores(double rouge1, double rouge2, double rougeL) {}

    private Rouge() {}

    /** Mean F1 over pairs {@code candidates[i]} / {@code references[i]}. */
    public static Scores mean(List<String> candidates, List<String> references) {
        if (candidates.size() != references.size() || candidates.isEmpty()) {
            throw new IllegalArgumentException("need as many candidates as references, at least one");
        }
        double r1 = 0;
        double r2 = 0;
        double rl = 0;
        for (int i = 0; i < candidates.size(); i++) {
            Scores scores = score(candidates.get(i), references.get(i));
            r1 += scores.rouge1();
            r2 += scores.rouge2();
            rl += scores.rougeL();
        }
        int n = candidates.size();
        return new Scores(r1 / n, r2 / n, rl / n);
    }

    public static Scores score(String candidate, String reference) {
        List<String> c = tokens(candidate);
        List<String> r = tokens(reference);
        return new Scores(rougeN(c, r, 1), rougeN(c, r, 2), rougeL(c, r));
    }

    /** Lower-case alphanumeric tokens: "Locke's 39-year-old" → [locke, s, 39, year, old]. */
    public static List<String> tokens(String text) {
        List<String> tokens = new ArrayList<>();
        for (String token : text.toLowerCase(Locale.ROOT).split("[^a-z0-9]+")) {
            if (!token.isEmpty()) {
                tokens.add(token);
            }
        }
        return tokens;
    }

    public static double rougeN(List<String> candidate, List<String> reference, int n) {
        Map<List<String>, Integer> referenceCounts = ngrams(reference, n);
        Map<List<String>, Integer> candidateCounts = ngrams(candidate, n);
        int overlap = 0;
        for (Map.Entry<List<String>, Integer> entry : candidateCounts.entrySet()) {
            overlap += Math.min(entry.getValue(), referenceCounts.getOrDefault(entry.getKey(), 0));
        }
        return f1(overlap, Math.max(0, candidate.size() - n + 1), Math.max(0, reference.size() - n + 1));
    }

    public static double rougeL(List<String> candidate, List<String> reference) {
        return f1(lcs(candidate, reference), candidate.size(), reference.size());
    }

    /** Length of the longest common subsequence, O(|a|·|b|) time, O(|b|) memory. */
    static int lcs(List<String> a, List<String> b) {
        int[] previous = new int[b.size() + 1];
        int[] current = new int[b.size() + 1];
        for (String x : a) {
            for (int j = 1; j <= b.size(); j++) {
                current[j] = x.equals(b.get(j - 1)) ? previous[j - 1] + 1 : Math.max(previous[j], current[j - 1]);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.size()];
    }

    private static Map<List<String>, Integer> ngrams(List<String> tokens, int n) {
        Map<List<String>, Integer> counts = new HashMap<>();
        for (int i = 0; i + n <= tokens.size(); i++) {
            counts.merge(tokens.subList(i, i + n), 1, Integer::sum);
        }
        return counts;
    }

    private static double f1(int overlap, int candidateCount, int referenceCount) {
        if (overlap == 0 || candidateCount == 0 || referenceCount == 0) {
            return 0;
        }
        double precision = (double) overlap / candidateCount;
        double recall = (double) overlap / referenceCount;
        return 2 * precision * recall / (precision + recall);
    }
}
