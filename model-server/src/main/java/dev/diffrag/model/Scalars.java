package dev.diffrag.model;

import ai.djl.ndarray.NDArray;

/**
 * Arithmetic with a constant for arrays that gradients flow through: use these instead of NDArray's {@code Number}
 * overloads ({@code x.mul(0.5)}, {@code x.pow(-0.5)}, ...).
 *
 * <p>Why: DJL 0.33's PyTorch engine implements each {@code Number} overload by wrapping the number in a Java direct
 * buffer that PyTorch reads in place (no copy) and closing that array right after the op. mul, div, pow, maximum and
 * minimum save this operand for backward, so backward reads memory that the JVM may have freed and handed out again
 * after a garbage collection between forward and backward: rare, run-to-run different garbage gradients (seen as
 * ~1e28 gradient norms while training). The constant made here is a copy whose storage PyTorch owns, so autograd keeps
 * it alive for as long as it needs it. add and sub with a {@code Number} stay safe: their backward does not read the
 * operand.
 */
public final class Scalars {

    private Scalars() {}

    /** x · factor. */
    public static NDArray mul(NDArray x, double factor) {
        return x.mul(of(x, factor));
    }

    /** x / divisor. */
    public static NDArray div(NDArray x, double divisor) {
        return x.div(of(x, divisor));
    }

    /** x ^ exponent, elementwise. */
    public static NDArray pow(NDArray x, double exponent) {
        return x.pow(of(x, exponent));
    }

    /** max(x, floor), elementwise. */
    public static NDArray maximum(NDArray x, double floor) {
        return x.maximum(of(x, floor));
    }

    /**
     * A FLOAT32 scalar () in x's manager with PyTorch-owned storage. Being 0-dimensional it does not change a float
     * array's type, as a Java float would not.
     */
    private static NDArray of(NDArray x, double value) {
        try (NDArray wrapped = x.getManager().create((float) value)) { // reads a Java buffer in place
            return wrapped.duplicate();                                  // PyTorch's own copy
        }
    }
}
