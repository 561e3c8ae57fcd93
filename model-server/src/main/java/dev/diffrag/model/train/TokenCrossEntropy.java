package dev.diffrag.model.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;

/**
 * Mean cross-entropy of token predictions: predictions [logits (B, T, V)], labels [targets (B, T)] of integer token
 * ids, where a negative target ({@link #IGNORE}) marks a position that does not count (a prompt, padding). Computed in
 * float32 whatever the logits' type.
 */
public final class TokenCrossEntropy implements Objective {

    /** Target value of positions excluded from the loss. */
    public static final long IGNORE = -1;

    @Override
    public NDArray loss(NDList predictions, NDList labels) {
        NDArray logits = predictions.head();                                   // (B, T, V)
        NDArray targets = labels.head().toType(DataType.INT64, false);         // (B, T)
        NDArray logProbs = logits.toType(DataType.FLOAT32, false).logSoftmax(-1);
        NDArray counted = targets.gte(0);                                      // (B, T) boolean
        NDArray picked = logProbs.gather(targets.maximum(0).expandDims(-1), -1).squeeze(-1); // (B, T)
        NDArray mask = counted.toType(DataType.FLOAT32, false);
        NDArray tokens = mask.sum().maximum(1f);
        return picked.mul(mask).sum().neg().div(tokens);
    }
}
