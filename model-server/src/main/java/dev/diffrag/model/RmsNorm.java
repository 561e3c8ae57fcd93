package dev.diffrag.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;

/** RMSNorm over the last axis with a learnable gain: x / sqrt(mean(x²) + eps) · g, computed in float32. */
final class RmsNorm {

    private final Parameter weight;
    private final float eps;

    RmsNorm(String name, long size, double eps) {
        this.weight = Params.gain(name + ".weight", size);
        this.eps = (float) eps;
    }

    Parameter weight() {
        return weight;
    }

    /** (..., n) → (..., n). */
    NDArray forward(ParameterStore ps, NDArray x, boolean training) {
        NDArray x32 = x.toType(DataType.FLOAT32, false);
        NDArray inverseRms = Scalars.pow(x32.square().mean(new int[] {-1}, true).add(eps), -0.5); // (..., 1)
        return x32.mul(inverseRms).mul(Params.float32(ps, weight, x, training)).toType(x.getDataType(), false);
    }
}
