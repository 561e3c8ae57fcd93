package dev.diffrag.pipeline.answer;

import dev.diffrag.answer.BestSentenceAnswerer;
import java.io.Serializable;

/**
 * How questions are answered.
 *
 * @param answerer          which {@link AnswererFactory answerer}: {@code baseline} (best sentence)
 * @param abstainThreshold  confidence below which the answerer abstains, in [0, 1]
 * @param maxBatchSize      most questions handed to the answerer in one call
 * @param maxBatchDelayMs   longest a question waits for others to fill its batch
 * @param timeoutMs         longest a question may take in the answerer before it is answered with an abstention
 * @param capacity          most questions in flight per subtask (Flink async I/O capacity; also the batch queue)
 */
public record AnswerConfig(
        String answerer, double abstainThreshold, int maxBatchSize, long maxBatchDelayMs, long timeoutMs, int capacity)
        implements Serializable {

    public static AnswerConfig defaults() {
        return new AnswerConfig("baseline", BestSentenceAnswerer.DEFAULT_THRESHOLD, 16, 20, 10_000, 64);
    }
}
