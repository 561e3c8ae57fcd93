package dev.diffrag.pipeline.summarize;

import java.io.Serializable;

/**
 * How documents are summarized and digested.
 *
 * @param summarizer          {@code diff-v1} (the shipped Diff Transformer salience model), {@code vanilla} or
 *                            {@code lead-k}; see {@link dev.diffrag.summarize.Summarizers}
 * @param maxSentences        sentences per document summary
 * @param maxTokens           token budget per document summary; 0 = only the sentence count limits
 * @param digestWindowMs      length of the tumbling event-time windows of the digests
 * @param digestSentences     sentences per digest
 * @param outOfOrdernessMs    how late (in event time) a document may arrive and still count in its window
 * @param idleSourceMs        after how long without documents a source partition stops holding back watermarks
 */
public record SummaryConfig(
        String summarizer,
        int maxSentences,
        int maxTokens,
        long digestWindowMs,
        int digestSentences,
        long outOfOrdernessMs,
        long idleSourceMs) implements Serializable {

    public SummaryConfig {
        if (maxSentences < 1 || maxTokens < 0 || digestWindowMs < 1 || digestSentences < 1 || outOfOrdernessMs < 0
                || idleSourceMs < 1) {
            throw new IllegalArgumentException("bad summary settings: " + maxSentences + " sentences, " + maxTokens
                    + " tokens, window " + digestWindowMs + " ms, digest " + digestSentences + " sentences, "
                    + "out-of-orderness " + outOfOrdernessMs + " ms, idleness " + idleSourceMs + " ms");
        }
    }

    public static SummaryConfig defaults() {
        return new SummaryConfig("diff-v1", 3, 0, 60_000, 5, 5_000, 30_000);
    }
}
