package dev.diffrag.model;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/** Each op's gradient is exact even when freed native memory is reused between forward and backward. */
class ScalarsTest {

    private static final float[] X = {0.5f, 2f, -1f, 4f};

    @Test
    void mul() throws InterruptedException {
        assertThat(gradient(x -> Scalars.mul(x, 3))).containsExactly(3f, 3f, 3f, 3f);
    }

    @Test
    void div() throws InterruptedException {
        assertThat(gradient(x -> Scalars.div(x, 2))).containsExactly(0.5f, 0.5f, 0.5f, 0.5f);
    }

    @Test
    void pow() throws InterruptedException {
        assertThat(gradient(x -> Scalars.pow(x, 2))).containsExactly(1f, 4f, -2f, 8f); // 2x
    }

    @Test
    void maximum() throws InterruptedException {
        assertThat(gradient(x -> Scalars.maximum(x, 0))).containsExactly(1f, 1f, 0f, 1f);
    }

    /** d(sum f(x))/dx at X, with the freed native memory refilled with NaN before backward. */
    private static float[] gradient(UnaryOperator<NDArray> f) throws InterruptedException {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray x = manager.create(X);
            x.setRequiresGradient(true);
            List<ByteBuffer> poison;
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                NDArray y = f.apply(x).sum();
                poison = FreedNativeMemory.poison();
                collector.backward(y);
            }
            assertThat(poison).isNotEmpty(); // kept reachable until after backward
            return x.getGradient().toFloatArray();
        }
    }
}
