package dev.diffrag.pipeline.summarize;

import dev.diffrag.pipeline.PipelineConfig;
import dev.diffrag.pipeline.answer.RemoteAnswererConfig;
import dev.diffrag.summarize.Summarizer;
import dev.diffrag.summarize.Summarizers;
import java.io.Serializable;

/**
 * How documents are summarized and digested.
 *
 * @param summarizer          {@code diff-v1} (the shipped Diff Transformer salience model), {@code vanilla},
 *                            {@code lead-N} (see {@link Summarizers}) or {@code remote} (a model server's
 *                            {@code /v1/summarize}, {@link RemoteSummarizer})
 * @param maxSentences        sentences per document summary
 * @param maxTokens           token budget per document summary; 0 = only the sentence count limits (the only value
 *                            {@code remote} takes: the model server's summarizer has no budget)
 * @param digestWindowMs      length of the tumbling event-time windows of the digests
 * @param digestSentences     sentences per digest
 * @param digestCandidates    most candidate sentences one summarizer request of a digest holds (what the model reads;
 *                            a salience model, in process or served, caps it at its own length): a window with more is
 *                            summarized in groups of this size, then among the sentences the groups chose
 * @param outOfOrdernessMs    how late (in event time) a document may arrive and still count in its window
 * @param idleSourceMs        after how long without documents a partition stops holding back watermarks: its
 *                            watermark follows the clock if it had caught up, else it is left out
 * @param maxBatchSize        most document versions handed to the summarizer in one call
 * @param maxBatchDelayMs     longest a document version waits for others to fill its batch
 * @param timeoutMs           longest a version may take in the summarizer; after it, that version gets no summary
 *                            (counted in {@code summaryTimeouts}) and the job goes on
 * @param remote              the model server of {@code remote}: the answerer's, same settings
 */
public record SummaryConfig(
        String summarizer,
        int maxSentences,
        int maxTokens,
        long digestWindowMs,
        int digestSentences,
        int digestCandidates,
        long outOfOrdernessMs,
        long idleSourceMs,
        int maxBatchSize,
        long maxBatchDelayMs,
        long timeoutMs,
        RemoteAnswererConfig remote) implements Serializable {

    public SummaryConfig {
        // Each round of a digest must leave fewer candidates than it started with: fewer chosen than a group holds.
        if (maxSentences < 1 || maxTokens < 0 || digestWindowMs < 1 || digestSentences < 1
                || digestCandidates <= digestSentences || outOfOrdernessMs < 0 || idleSourceMs < 1 || maxBatchSize < 1
                || maxBatchDelayMs < 0 || timeoutMs < 1) {
            throw new IllegalArgumentException("bad summary settings: " + maxSentences + " sentences, " + maxTokens
                    + " tokens, window " + digestWindowMs + " ms, digest " + digestSentences + " sentences of at most "
                    + digestCandidates + " candidates per request, out-of-orderness " + outOfOrdernessMs
                    + " ms, idleness " + idleSourceMs + " ms, batches of " + maxBatchSize + " within " + maxBatchDelayMs
                    + " ms, timeout " + timeoutMs + " ms");
        }
        if ("remote".equals(summarizer)) {
            if (remote == null || remote.url() == null) {
                throw new IllegalArgumentException("summarizer 'remote' needs the model server's URL ("
                        + PipelineConfig.ANSWER_REMOTE_URL + " / DIFFRAG_ANSWER_REMOTE_URL)");
            }
            if (maxTokens > 0) {
                throw new IllegalArgumentException(PipelineConfig.SUMMARY_MAX_TOKENS + " is " + maxTokens
                        + ", but the model server's summarizer (summarizer 'remote') has no token budget; leave it 0"
                        + " or summarize in process");
            }
        } else {
            // Checked when the job is built: inside the tasks, a typo would fail them again on every restart.
            Summarizers.requireKnown(summarizer);
        }
        // A salience model, in process or served, reads at most its own length of candidates a request
        // (DigestWindow.linesPerRequest), whatever digestCandidates says: each group must still be asked for fewer
        // than it holds.
        if (!summarizer.startsWith("lead-") && digestSentences >= DEFAULT_DIGEST_CANDIDATES) {
            throw new IllegalArgumentException("a digest of " + digestSentences + " sentences needs fewer than the "
                    + DEFAULT_DIGEST_CANDIDATES + " candidates summarizer '" + summarizer + "' reads per request");
        }
    }

    public static final int DEFAULT_BATCH_SIZE = 16;
    public static final long DEFAULT_BATCH_DELAY_MS = 20;
    public static final long DEFAULT_TIMEOUT_MS = 60_000;
    /** The sentences the shipped salience models read ({@code maxLength} of their configs), in process or served. */
    public static final int DEFAULT_DIGEST_CANDIDATES = 64;

    /** Settings of an in-process summarizer (no model server) with the default candidates, batching and timeout. */
    public SummaryConfig(String summarizer, int maxSentences, int maxTokens, long digestWindowMs, int digestSentences,
            long outOfOrdernessMs, long idleSourceMs) {
        this(summarizer, maxSentences, maxTokens, digestWindowMs, digestSentences, DEFAULT_DIGEST_CANDIDATES,
                outOfOrdernessMs, idleSourceMs, DEFAULT_BATCH_SIZE, DEFAULT_BATCH_DELAY_MS, DEFAULT_TIMEOUT_MS,
                RemoteAnswererConfig.defaults());
    }

    /**
     * Versions in flight per subtask (async capacity and batch queue): two batches, so one fills while the summarizer
     * works on the other.
     */
    public int capacity() {
        return 2 * maxBatchSize;
    }

    /**
     * A new summarizer as configured, made inside each task (models are not serializable).
     *
     * @param maxTokens token budget of an in-process summarizer (salience or lead-N); a remote one has none
     */
    public Summarizer newSummarizer(int maxTokens) {
        return "remote".equals(summarizer) ? new RemoteSummarizer(remote, timeoutMs) : Summarizers.named(summarizer, maxTokens);
    }

    /** These settings with other digest windows, out-of-orderness bound and idleness. */
    public SummaryConfig withDigestTiming(long digestWindowMs, long outOfOrdernessMs, long idleSourceMs) {
        return new SummaryConfig(summarizer, maxSentences, maxTokens, digestWindowMs, digestSentences, digestCandidates,
                outOfOrdernessMs, idleSourceMs, maxBatchSize, maxBatchDelayMs, timeoutMs, remote);
    }

    public static SummaryConfig defaults() {
        return new SummaryConfig("diff-v1", 3, 0, 60_000, 5, 5_000, 30_000);
    }
}
