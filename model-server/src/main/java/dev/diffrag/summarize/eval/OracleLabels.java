package dev.diffrag.summarize.eval;

import java.util.ArrayList;
import java.util.List;

/**
 * Extractive oracle labels: the sentences that together best match the reference, chosen greedily (as for
 * BertSumExt, Liu and Lapata 2019): repeatedly add the sentence that most raises ROUGE-1 F1 + ROUGE-2 F1 of the
 * selection against the reference, and stop when no sentence raises it or {@code maxSentences} are chosen.
 */
public final class OracleLabels {

    private OracleLabels() {}

    /** Indices of the chosen sentences, in ascending (document) order. */
    public static List<Integer> greedy(List<String> sentences, String reference, int maxSentences) {
        List<String> referenceTokens = Rouge.tokens(reference);
        List<List<String>> sentenceTokens = sentences.stream().map(Rouge::tokens).toList();
        List<Integer> chosen = new ArrayList<>();
        double best = 0;
        while (chosen.size() < maxSentences) {
            int bestSentence = -1;
            for (int i = 0; i < sentences.size(); i++) {
                if (chosen.contains(i)) {
                    continue;
                }
                List<Integer> selection = new ArrayList<>(chosen);
                selection.add(i);
                List<String> candidate = new ArrayList<>(); // in document order, so bigrams span real neighbours
                selection.stream().sorted().forEach(c -> candidate.addAll(sentenceTokens.get(c)));
                double gain = Rouge.rougeN(candidate, referenceTokens, 1) + Rouge.rougeN(candidate, referenceTokens, 2);
                if (gain > best) {
                    best = gain;
                    bestSentence = i;
                }
            }
            if (bestSentence < 0) {
                break;
            }
            chosen.add(bestSentence);
        }
        return chosen.stream().sorted().toList();
    }

    /**
     * Graded labels in [0, 1]: each sentence's own ROUGE-1 F1 + ROUGE-2 F1 against the reference, divided by the
     * document's best such score (all 0 when no sentence overlaps). Unlike the greedy oracle, they also tell the model
     * how close the sentences it did not pick came.
     */
    public static float[] soft(List<String> sentences, String reference) {
        List<String> referenceTokens = Rouge.tokens(reference);
        float[] labels = new float[sentences.size()];
        double best = 0;
        double[] gains = new double[sentences.size()];
        for (int i = 0; i < sentences.size(); i++) {
            List<String> tokens = Rouge.tokens(sentences.get(i));
            gains[i] = Rouge.rougeN(tokens, referenceTokens, 1) + Rouge.rougeN(tokens, referenceTokens, 2);
            best = Math.max(best, gains[i]);
        }
        for (int i = 0; i < labels.length && best > 0; i++) {
            labels[i] = (float) (gains[i] / best);
        }
        return labels;
    }
}
