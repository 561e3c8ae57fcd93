package dev.diffrag.pipeline.batching;

import dev.diffrag.serving.MicroBatcher;
import java.time.Duration;
import java.util.List;
import java.util.function.Function;
import org.apache.flink.api.common.functions.RuntimeContext;

/**
 * The micro-batchers of the async model operators (answering, summarizing): one per subtask, named after the model
 * role and subtask so its worker thread is recognisable in a thread dump.
 */
public final class ModelBatchers {

    private ModelBatchers() {}

    /**
     * @param role           {@code answerer}, {@code summarizer}, ...
     * @param capacity       most requests waiting per subtask (the async operator's capacity bounds them anyway)
     */
    public static <I, O> MicroBatcher<I, O> forSubtask(String role, RuntimeContext context,
            Function<List<I>, List<O>> model, int maxBatchSize, long maxBatchDelayMs, int capacity) {
        return new MicroBatcher<>(
                role + "-" + context.getTaskInfo().getIndexOfThisSubtask(),
                model,
                maxBatchSize,
                Duration.ofMillis(maxBatchDelayMs),
                capacity);
    }

    /** Closes the batcher first (it finishes the queued batches with the model), then the model. */
    public static void close(MicroBatcher<?, ?> batcher, AutoCloseable model) throws Exception {
        if (batcher != null) {
            batcher.close();
        }
        if (model != null) {
            model.close();
        }
    }
}
