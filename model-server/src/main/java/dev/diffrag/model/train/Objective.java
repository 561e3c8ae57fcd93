package dev.diffrag.model.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;

/** The scalar loss to minimise, from the model's outputs and the batch's labels. */
@FunctionalInterface
public interface Objective {

    /** Returns a scalar (shape ()) loss; the trainer differentiates it. */
    NDArray loss(NDList predictions, NDList labels);
}
