package dev.diffrag.pipeline.batching;

import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * An async operator's requests on its batcher, by input element, so that the element's async timeout can cancel its
 * request: one still queued then leaves the batcher's queue instead of being computed for nobody and holding a place
 * in it that a later element needs. Keyed by identity: Flink hands {@code timeout} the element {@code asyncInvoke} got.
 *
 * @param <E> an input element
 * @param <O> its request's result
 */
public final class QueuedRequests<E, O> {

    private final Map<E, CompletableFuture<O>> byElement = Collections.synchronizedMap(new IdentityHashMap<>());

    /** Remembers {@code request} as {@code element}'s until it completes; returns it. */
    public CompletableFuture<O> track(E element, CompletableFuture<O> request) {
        byElement.put(element, request);
        request.whenComplete((result, error) -> byElement.remove(element));
        return request;
    }

    /** Cancels {@code element}'s request unless it has completed. */
    public void cancel(E element) {
        CompletableFuture<O> request = byElement.remove(element);
        if (request != null) {
            request.cancel(false);
        }
    }
}
