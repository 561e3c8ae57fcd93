package dev.diffrag.pipeline.batching;

import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A request queued for a model with the end of its caller's async timeout (a {@link System#nanoTime}): a remote
 * model's retries for it end there, not a full timeout after its batch started, however long it waited for that batch.
 */
public record Deadlined<R>(R request, long deadline) {

    /** {@code request} with a deadline {@code timeoutMs} from now. */
    public static <R> Deadlined<R> in(R request, long timeoutMs) {
        return new Deadlined<>(request, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs));
    }

    public static <R> List<R> requests(List<Deadlined<R>> batch) {
        return batch.stream().map(Deadlined::request).toList();
    }

    public static List<Long> deadlines(List<? extends Deadlined<?>> batch) {
        return batch.stream().map(Deadlined::deadline).toList();
    }
}
