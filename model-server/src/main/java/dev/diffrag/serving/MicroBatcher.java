package dev.diffrag.serving;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Groups single requests into batches for a model that is only fast when fed several inputs at once (the shape of
 * djl-serving's {@code BatchAggregator}). Callers {@link #submit} one input and get a future; one worker thread takes
 * the oldest waiting request, then gathers more, up to {@code maxBatchSize}, until that one has waited {@code maxDelay}
 * since it was queued, and runs the batch function once for all of them. A batch that fails is run again one request
 * at a time, so a failure is reported only to the requests that cause it; a batch function that knows which of its
 * requests failed (a remote model answers each on its own) says so with a {@link PartialFailure}, and nothing is run
 * again.
 *
 * <p>The queue is bounded: when it is full, {@code submit} fails fast with {@link RejectedExecutionException} instead
 * of letting callers pile up unbounded memory. {@link #close()} stops accepting, finishes everything already queued,
 * and joins the worker; {@link #close(Duration, Duration)} finishes what it can within a timeout and fails the rest.
 *
 * @param <I> one request
 * @param <O> its result; the batch function returns results in request order
 */
public final class MicroBatcher<I, O> implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(MicroBatcher.class);

    /** {@code enqueuedNanos}: when it was queued ({@link System#nanoTime}), which its batch's deadline counts from. */
    private record Pending<I, O>(I input, CompletableFuture<O> result, long enqueuedNanos) {}

    /**
     * Thrown by a batch function when some requests of its batch failed and the others have their results: those
     * complete with them, the failed ones with their own errors, and the batch is not run again (that would compute
     * the successful requests twice).
     */
    public static final class PartialFailure extends RuntimeException {
        private final List<?> outputs;
        private final List<? extends Throwable> errors;

        /**
         * @param outputs request i's result, where {@code errors.get(i)} is null
         * @param errors  request i's error, or null where it succeeded; at least one is not null
         */
        public PartialFailure(List<?> outputs, List<? extends Throwable> errors) {
            super(errors.stream().filter(Objects::nonNull).count() + " of " + errors.size()
                    + " requests of the batch failed", errors.stream().filter(Objects::nonNull).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("a partial failure needs a failed request")));
            if (outputs.size() != errors.size()) {
                throw new IllegalArgumentException(outputs.size() + " outputs for " + errors.size() + " errors");
            }
            this.outputs = new ArrayList<>(outputs);
            this.errors = new ArrayList<>(errors);
        }

        /** How many requests of the batch failed. */
        public int failed() {
            return (int) errors.stream().filter(Objects::nonNull).count();
        }
    }

    private static final long IDLE_POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    private static final Duration FOREVER = Duration.ofNanos(Long.MAX_VALUE);

    private final Function<List<I>, List<O>> batchFunction;
    private final int maxBatchSize;
    private final long maxDelayNanos;
    private final BlockingQueue<Pending<I, O>> queue;
    private final Thread worker;
    private volatile boolean closed;
    /** Set once close's timeout has passed: the worker starts no further batch, and what is queued is failed. */
    private volatile boolean abandoned;

    public MicroBatcher(
            String name,
            Function<List<I>, List<O>> batchFunction,
            int maxBatchSize,
            Duration maxDelay,
            int queueCapacity) {
        if (maxBatchSize < 1 || queueCapacity < 1 || maxDelay.isNegative()) {
            throw new IllegalArgumentException("need maxBatchSize >= 1, queueCapacity >= 1, maxDelay >= 0; got "
                    + maxBatchSize + ", " + queueCapacity + ", " + maxDelay);
        }
        this.batchFunction = Objects.requireNonNull(batchFunction);
        this.maxBatchSize = maxBatchSize;
        this.maxDelayNanos = maxDelay.toNanos();
        this.queue = new ArrayBlockingQueue<>(queueCapacity);
        this.worker = new Thread(this::runBatches, name);
        this.worker.setDaemon(true);
        this.worker.start();
    }

    /**
     * Queues {@code input}; the future completes with its result, or exceptionally if it failed. Cancelling the future
     * before its batch starts takes the request out of the queue.
     */
    public CompletableFuture<O> submit(I input) {
        CompletableFuture<O> result = new CompletableFuture<>();
        Pending<I, O> pending = new Pending<>(input, result, System.nanoTime());
        if (closed) {
            result.completeExceptionally(new RejectedExecutionException("micro-batcher " + worker.getName() + " is closed"));
        } else if (!queue.offer(pending)) {
            result.completeExceptionally(new RejectedExecutionException(
                    "micro-batcher " + worker.getName() + " queue is full (" + queue.size() + " waiting)"));
        } else if (closed && queue.remove(pending)) {
            // close() ran between the check and the offer, possibly after its last look at the queue: nobody would
            // ever take this request. (If remove fails, the worker or close() took it and completes it.)
            result.completeExceptionally(new RejectedExecutionException("micro-batcher " + worker.getName() + " is closed"));
        } else {
            // A cancelled request frees its place at once, so abandoned requests cannot fill the queue.
            result.whenComplete((value, error) -> {
                if (result.isCancelled()) {
                    queue.remove(pending);
                }
            });
        }
        return result;
    }

    /** Requests waiting for a batch (not counting the batch being run). */
    public int queued() {
        return queue.size();
    }

    private void runBatches() {
        List<Pending<I, O>> batch = new ArrayList<>(maxBatchSize);
        while (!abandoned && (!closed || !queue.isEmpty())) {
            try {
                collectBatch(batch);
            } catch (InterruptedException e) {
                // Nobody but the JVM interrupts this private thread; run what was taken and let the loop end it.
                closed = true;
            }
            // A caller that gave up (cancelled its future, e.g. on a timeout) wants no answer: after a backlog, computing
            // answers nobody waits for would make every later request time out too.
            batch.removeIf(pending -> pending.result().isDone());
            if (!batch.isEmpty()) {
                run(batch);
                batch.clear();
            }
        }
    }

    /**
     * Waits for the first request, then gathers more until the batch is full or the first has waited maxDelay since it
     * was queued: one that already waited that long behind a running batch is not held for another maxDelay.
     */
    private void collectBatch(List<Pending<I, O>> batch) throws InterruptedException {
        Pending<I, O> first = queue.poll(IDLE_POLL_NANOS, TimeUnit.NANOSECONDS);
        if (first == null) {
            return;
        }
        batch.add(first);
        long deadline = first.enqueuedNanos() + maxDelayNanos;
        while (batch.size() < maxBatchSize) {
            long waitNanos = deadline - System.nanoTime();
            if (waitNanos <= 0 || closed) {
                // Out of time (or closing): take only what is already there.
                Pending<I, O> next = queue.poll();
                if (next == null) {
                    return;
                }
                batch.add(next);
            } else {
                // Waits in short slices so that close() is noticed promptly.
                Pending<I, O> next = queue.poll(Math.min(waitNanos, IDLE_POLL_NANOS), TimeUnit.NANOSECONDS);
                if (next != null) {
                    batch.add(next);
                }
            }
        }
    }

    /**
     * Runs the batch; if it fails, runs each request alone, so that one bad input (or a batch too large for the
     * device's memory) fails only itself and not the requests that happened to share its batch.
     */
    private void run(List<Pending<I, O>> batch) {
        List<O> outputs;
        try {
            outputs = apply(batch);
        } catch (PartialFailure e) {
            complete(batch, e);
            return;
        } catch (RuntimeException | Error e) {
            if (batch.size() == 1) {
                batch.get(0).result().completeExceptionally(e);
            } else {
                // When its requests then all pass alone, nothing else would say why the batch failed.
                LOG.warn("micro-batcher {}: a batch of {} failed; its requests are run again one at a time",
                        worker.getName(), batch.size(), e);
                // A request whose caller gave up while the batch ran is not worth a run of its own.
                batch.stream().filter(pending -> !pending.result().isDone()).forEach(pending -> run(List.of(pending)));
            }
            return;
        }
        for (int i = 0; i < batch.size(); i++) {
            batch.get(i).result().complete(outputs.get(i));
        }
    }

    @SuppressWarnings("unchecked") // the batch function's outputs are O by its type
    private void complete(List<Pending<I, O>> batch, PartialFailure failure) {
        if (failure.errors.size() != batch.size()) {
            batch.forEach(pending -> pending.result().completeExceptionally(new IllegalStateException(
                    "batch function reported " + failure.errors.size() + " outcomes for " + batch.size()
                            + " inputs", failure)));
            return;
        }
        for (int i = 0; i < batch.size(); i++) {
            Throwable error = failure.errors.get(i);
            if (error != null) {
                batch.get(i).result().completeExceptionally(error);
            } else {
                batch.get(i).result().complete((O) failure.outputs.get(i));
            }
        }
    }

    private List<O> apply(List<Pending<I, O>> batch) {
        List<I> inputs = batch.stream().map(Pending::input).toList();
        List<O> outputs = batchFunction.apply(inputs);
        if (outputs.size() != inputs.size()) {
            throw new IllegalStateException(
                    "batch function returned " + outputs.size() + " results for " + inputs.size() + " inputs");
        }
        return outputs;
    }

    /**
     * Stops accepting requests, runs every request already queued, and waits for the worker to finish. The worker is
     * not interrupted (that could abort a model call half-way); an idle worker notices within its 100 ms poll.
     */
    @Override
    public void close() throws InterruptedException {
        close(FOREVER, FOREVER);
    }

    /**
     * Stops accepting requests and runs those already queued for at most {@code queueTimeout}; then fails the ones
     * still queued ({@link RejectedExecutionException}) instead of computing them for callers that have likely gone,
     * and waits at most {@code batchTimeout} for the batch running at that moment, which is never interrupted.
     *
     * Called again with a zero {@code queueTimeout}, it waits for that batch once more: several batchers can thus fail
     * their queues first ({@code batchTimeout} zero) and then wait for their batches together.
     *
     * @return whether the worker has ended, so that nothing calls the batch function any more (its model may be closed)
     */
    public boolean close(Duration queueTimeout, Duration batchTimeout) throws InterruptedException {
        closed = true;
        TimeUnit.NANOSECONDS.timedJoin(worker, TimeUnit.NANOSECONDS.convert(queueTimeout));
        abandoned = true;
        // Also fails a submit that raced with close() and queued after the worker's last look.
        for (Pending<I, O> left; (left = queue.poll()) != null; ) {
            left.result().completeExceptionally(new RejectedExecutionException(
                    "micro-batcher " + worker.getName() + " closed before this request's batch ran"));
        }
        TimeUnit.NANOSECONDS.timedJoin(worker, TimeUnit.NANOSECONDS.convert(batchTimeout));
        return !worker.isAlive();
    }
}
