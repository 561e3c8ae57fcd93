package dev.diffrag.pipeline.answer;

import dev.diffrag.answer.BestSentenceAnswerer;
import java.io.Serializable;

/**
 * How questions are answered.
 *
 * @param answerer          which {@link AnswererFactory answerer}: {@code diff-reader} (the shipped Diff Transformer
 *                          reader, in process; the default), {@code baseline} (best sentence, in process) or
 *                          {@code remote} (a model server over HTTP, see {@link RemoteAnswerer})
 * @param abstainThreshold  confidence below which the baseline abstains, in [0, 1] (the reader abstains by the
 *                          threshold calibrated with its checkpoint)
 * @param maxBatchSize      most questions handed to the answerer in one call
 * @param maxBatchDelayMs   longest a question waits for others to fill its batch
 * @param timeoutMs         longest a question may take in the answerer before it is answered with an abstention
 * @param capacity          most questions in flight per subtask (Flink async I/O capacity; also the batch queue)
 * @param remote            the model server of the {@code remote} answerer
 */
public record AnswerConfig(
        String answerer,
        double abstainThreshold,
        int maxBatchSize,
        long maxBatchDelayMs,
        long timeoutMs,
        int capacity,
        RemoteAnswererConfig remote) implements Serializable {

    public AnswerConfig {
        // Checked when the job is built: inside the tasks, a bad value would fail them again on every restart, and a
        // NaN threshold (Double.parseDouble reads "NaN") would make the baseline never abstain.
        if (!(abstainThreshold >= 0 && abstainThreshold <= 1) || maxBatchSize < 1 || maxBatchDelayMs < 0
                || timeoutMs < 1 || capacity < 1) {
            throw new IllegalArgumentException("bad answer settings: abstain threshold " + abstainThreshold
                    + " (in [0, 1]), batches of " + maxBatchSize + " within " + maxBatchDelayMs + " ms, timeout "
                    + timeoutMs + " ms, capacity " + capacity);
        }
    }

    /** An in-process answerer's configuration (no model server). */
    public AnswerConfig(
            String answerer, double abstainThreshold, int maxBatchSize, long maxBatchDelayMs, long timeoutMs, int capacity) {
        this(answerer, abstainThreshold, maxBatchSize, maxBatchDelayMs, timeoutMs, capacity,
                RemoteAnswererConfig.defaults());
    }

    /**
     * The product's default: the Diff Transformer reader in process. The 60 s timeout is sized for a CPU: the reader
     * took 8.2 s for a batch of 16 questions with five 800-character passages each on 2 cores
     * ({@code docs/results/remote-burst.md}), and the 64 questions a subtask keeps in flight are four such batches.
     */
    public static AnswerConfig defaults() {
        return new AnswerConfig("diff-reader", BestSentenceAnswerer.DEFAULT_THRESHOLD, 16, 20, 60_000, 64);
    }

    /** The defaults with the baseline sentence answerer instead of the reader. */
    public static AnswerConfig baseline() {
        return defaults().withAnswerer("baseline");
    }

    public AnswerConfig withAnswerer(String name) {
        return new AnswerConfig(name, abstainThreshold, maxBatchSize, maxBatchDelayMs, timeoutMs, capacity, remote);
    }
}
