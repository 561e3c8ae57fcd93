package dev.diffrag.serving;

import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Holds a test model's batches so tests can fill queues and shut down with requests in flight: the first {@code free}
 * batches pass (the server's warm-up is one), later ones wait until {@link #open}.
 */
final class ModelGate {

    /** Released each time a batch reaches the model. */
    final Semaphore batchesStarted = new Semaphore(0);
    private final Semaphore passes;

    ModelGate(int free) {
        this.passes = new Semaphore(free);
    }

    /** Lets every held and future batch through. */
    void open() {
        passes.release(Integer.MAX_VALUE / 2);
    }

    /** Called by the model when a batch arrives: counts it, then waits for its pass. */
    void pass() {
        batchesStarted.release();
        try {
            if (!passes.tryAcquire(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("test gate never opened");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
