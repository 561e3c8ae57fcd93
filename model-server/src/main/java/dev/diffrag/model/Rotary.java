package dev.diffrag.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * Rotary position embeddings in the reference code's interleaved layout: channels (2j, 2j+1) of a head form one
 * pair rotated by angle p·θ^(−2j/d) at position p.
 */
final class Rotary {

    private final NDArray cos; // (T, 1, d/2): broadcasts over heads
    private final NDArray sin; // (T, 1, d/2)

    private Rotary(NDArray cos, NDArray sin) {
        this.cos = cos;
        this.sin = sin;
    }

    /** Angles for positions offset .. offset+length−1, on the manager's device. */
    static Rotary forPositions(NDManager manager, int offset, int length, int headDim, double theta) {
        NDArray positions = manager.arange(offset, offset + length, 1, DataType.FLOAT32).reshape(length, 1); // (T, 1)
        NDArray exponents = manager.arange(0, headDim, 2, DataType.FLOAT32).div(headDim);               // (d/2)
        NDArray inverseFrequency = manager.create((float) theta).pow(exponents.neg());                   // (d/2)
        NDArray angles = positions.mul(inverseFrequency.reshape(1, headDim / 2));                         // (T, d/2)
        return new Rotary(angles.cos().expandDims(1), angles.sin().expandDims(1));
    }

    /** (B, T, H, d) → (B, T, H, d), rotated; computed in float32 and returned in x's type. */
    NDArray apply(NDArray x) {
        Shape shape = x.getShape();
        NDArray pairs = x.toType(DataType.FLOAT32, false)
                .reshape(shape.get(0), shape.get(1), shape.get(2), shape.get(3) / 2, 2); // (B, T, H, d/2, 2)
        NDArray even = pairs.get("..., 0"); // (B, T, H, d/2)
        NDArray odd = pairs.get("..., 1");  // (B, T, H, d/2)
        NDArray rotatedEven = even.mul(cos).sub(odd.mul(sin));
        NDArray rotatedOdd = even.mul(sin).add(odd.mul(cos));
        return NDArrays.stack(new NDList(rotatedEven, rotatedOdd), -1) // (B, T, H, d/2, 2)
                .reshape(shape).toType(x.getDataType(), false);
    }
}
