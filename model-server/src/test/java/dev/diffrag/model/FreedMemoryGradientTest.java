package dev.diffrag.model;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Backward must read only memory that is still alive. DJL's PyTorch engine wraps Java direct buffers without a copy
 * and frees them once they are closed and collected; an operand that autograd saved must therefore outlive backward.
 * The gradients are computed twice, the second time with garbage collection and NaN-filled native allocations between
 * forward and backward: any saved operand whose memory was freed then reads NaN, so the gradients differ.
 */
class FreedMemoryGradientTest {

    @ParameterizedTest
    @EnumSource(AttentionKind.class)
    void gradientsDoNotDependOnWhatHappensBetweenForwardAndBackward(AttentionKind kind) throws InterruptedException {
        Map<String, float[]> quiet = gradients(kind, false);
        Map<String, float[]> churned = gradients(kind, true);
        assertThat(churned.keySet()).isEqualTo(quiet.keySet());
        quiet.forEach((name, expected) -> assertThat(churned.get(name)).as(name).containsExactly(expected));
    }

    private static Map<String, float[]> gradients(AttentionKind kind, boolean churn) throws InterruptedException {
        try (NDManager manager = NDManager.newBaseManager()) {
            DiffTransformer model = Fixtures.model(manager, Fixtures.config(kind, true, true), 41);
            ParameterStore ps = new ParameterStore(manager, false);
            List<ByteBuffer> poison = List.of();
            try (NDManager data = manager.newSubManager();
                    GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                NDArray ids = Fixtures.ids(data, Fixtures.tokens(43, 2, 9));
                NDArray logits = model.forward(ps, new NDList(ids, Fixtures.mask(data, Fixtures.real(9, 9, 6))),
                        true).head();
                NDArray targets = ids.get(":, 1:").oneHot(Fixtures.VOCAB);                  // (B, T-1, vocab)
                NDArray loss = logits.get(":, :-1").logSoftmax(-1).mul(targets).sum().neg(); // next-token NLL
                if (churn) {
                    poison = FreedNativeMemory.poison();
                }
                collector.backward(loss);
            }
            Map<String, float[]> gradients = new LinkedHashMap<>();
            model.namedParameters().forEach((name, parameter) ->
                    gradients.put(name, parameter.getArray().getGradient().toFloatArray()));
            assertThat(poison).allMatch(buffer -> buffer.capacity() > 0); // kept alive until after backward
            return gradients;
        }
    }
}
