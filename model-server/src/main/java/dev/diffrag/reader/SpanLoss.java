package dev.diffrag.reader;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import dev.diffrag.model.Scalars;
import dev.diffrag.model.train.Objective;

/**
 * Cross-entropy of the gold start and of the gold end position, each a softmax over the positions where an answer may
 * lie (the [CLS] no-answer slot and passage tokens); unanswerable examples have both labels at position 0.
 *
 * <p>Labels: [start (B) int, end (B) int, allowed (B, T) float 1 = may hold an answer boundary].
 */
public final class SpanLoss implements Objective {

    /** Added to the logits of forbidden positions; large but finite, so float32 softmax stays exact. */
    static final float FORBIDDEN = -1e4f;

    @Override
    public NDArray loss(NDList predictions, NDList labels) {
        NDArray allowed = labels.get(2);
        NDArray bias = allowed.sub(1).mul(-FORBIDDEN); // 0 where allowed, FORBIDDEN elsewhere; (B, T)
        NDArray sum = boundaryLoss(predictions.get(0), labels.get(0), bias)
                .add(boundaryLoss(predictions.get(1), labels.get(1), bias));
        return Scalars.div(sum, 2);
    }

    private static NDArray boundaryLoss(NDArray logits, NDArray gold, NDArray bias) {
        int positions = Math.toIntExact(logits.getShape().get(1));
        NDArray logProbabilities = logits.toType(DataType.FLOAT32, false).add(bias).logSoftmax(1); // (B, T)
        NDArray oneHot = gold.toType(DataType.INT32, false).oneHot(positions); // (B, T)
        return logProbabilities.mul(oneHot).sum(new int[] {1}).neg().mean();
    }
}
