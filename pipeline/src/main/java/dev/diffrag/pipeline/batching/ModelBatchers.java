package dev.diffrag.pipeline.batching;

import dev.diffrag.serving.MicroBatcher;
import java.time.Duration;
import java.util.List;
import java.util.function.Function;
import org.apache.flink.api.common.functions.RuntimeContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The micro-batchers of the async model operators (answering, summarizing): one per subtask, named after the model
 * role and subtask so its worker thread is recognisable in a thread dump.
 */
public final class ModelBatchers {

    private static final Logger LOG = LoggerFactory.getLogger(ModelBatchers.class);
    private static final Duration FOREVER = Duration.ofNanos(Long.MAX_VALUE);

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

    /**
     * Closes the batcher, then the model, from an async operator's {@code close()}. After {@code finish()} (end of
     * input, a drain) the operator has waited for every request, so nothing is queued; otherwise (cancel, failure,
     * stop-with-savepoint) its in-flight requests are restored or replayed, so those still queued are dropped instead
     * of computed for nobody. The batch running is awaited, never interrupted, and the model closed only after it. When
     * the task thread is interrupted meanwhile (Flink interrupts a cancelled task), this returns with the interrupt
     * set, and a helper thread closes the model once that batch has ended: the model is neither leaked nor freed
     * under a running batch.
     */
    public static void close(MicroBatcher<?, ?> batcher, AutoCloseable model) throws Exception {
        if (batcher != null) {
            try {
                batcher.close(Duration.ZERO, FOREVER);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                Thread closer = new Thread(() -> {
                    try {
                        close(batcher, model);
                    } catch (Exception failed) {
                        LOG.warn("closing a model after its last batch failed", failed);
                    }
                }, "close-after-last-batch");
                closer.setDaemon(true);
                closer.start();
                return;
            }
        }
        if (model != null) {
            model.close();
        }
    }
}
