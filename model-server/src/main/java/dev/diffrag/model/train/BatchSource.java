package dev.diffrag.model.train;

import ai.djl.ndarray.NDManager;

/**
 * The training data as a function of the step: the batch of update {@code step} (0-based) depends only on the step
 * and the source's own seed, never on how many batches were drawn before. That is what lets a resumed run see exactly
 * the batches the uninterrupted run would have seen.
 */
@FunctionalInterface
public interface BatchSource {

    /** Creates the batch for update {@code step} in {@code manager} (on the model's device; closed after the step). */
    Batch batch(long step, NDManager manager);
}
