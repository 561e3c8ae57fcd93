package dev.diffrag.longctx.lm;

import java.util.List;

/**
 * How much the long-context report evaluates; every example is generated from {@code seed}, so all models see the
 * same ones.
 *
 * @param lengths context lengths (MiniLM tokens) of the accuracy grid
 * @param cells (needles, asked) pairs of the grid
 * @param examplesPerCell examples per grid cell and length
 * @param attentionLengths context lengths of the attention-mass measurement (one needle, one question)
 * @param attentionPerDepth examples per needle depth there
 * @param outlierLength context length of the outlier measurement
 * @param outlierExamples examples there
 * @param kvPairs the kv-retrieval window sizes (pairs per shortened record)
 * @param kvExamples held-out kv records evaluated per window size
 * @param maxAnswerTokens decoding stops after this many answer tokens if no [SEP] comes
 * @param seed the evaluation seed (distinct from training seeds by construction: eval seeds are hashed with it)
 */
public record ReportSettings(List<Integer> lengths, List<int[]> cells, int examplesPerCell,
                             List<Integer> attentionLengths, int attentionPerDepth, int outlierLength,
                             int outlierExamples, List<Integer> kvPairs, int kvExamples, int maxAnswerTokens,
                             long seed) {

    public ReportSettings {
        lengths = List.copyOf(lengths);
        attentionLengths = List.copyOf(attentionLengths);
        cells = List.copyOf(cells);
        kvPairs = List.copyOf(kvPairs);
    }

    /**
     * Settings that measure only activation outliers ({@link NeedleReport#outliers}), {@code examples} per length: the
     * examples are those a full report with the same seed measures at that length.
     */
    public static ReportSettings outliersOnly(int examples, long seed) {
        return new ReportSettings(List.of(), paperCells(), 0, List.of(), 0, 0, examples, List.of(), 0, 0, seed);
    }

    /** The paper's grid: N/R = 1/1, 2/2, 4/2, 6/2. */
    public static List<int[]> paperCells() {
        return List.of(new int[] {1, 1}, new int[] {2, 2}, new int[] {4, 2}, new int[] {6, 2});
    }
}
