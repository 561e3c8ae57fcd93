package dev.diffrag.model;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Training attends in blocks of query rows too ({@link Attention#byQueryBlocks}): its gradients must be those of the
 * one-block pass, which a probe forces.
 */
class QueryBlockGradientTest {

    @ParameterizedTest(name = "{0} causal={1}")
    @MethodSource("dev.diffrag.model.Fixtures#kindsAndCausality")
    void gradientsInBlocksEqualTheOneBlockGradients(AttentionKind kind, boolean causal) {
        int length = 1100;
        int fewestQueryHeads = 4; // dModel 64 / head dim 16: vanilla's heads, V1's 2h; V2 has twice as many
        assertThat(Attention.rowsPerBlock(2, fewestQueryHeads, length)).as("rows per block").isLessThan(length / 3);
        try (NDManager manager = NDManager.newBaseManager()) {
            DiffTransformer model = Fixtures.model(manager,
                    ModelConfig.of(kind, 64, 2, 16, causal, Fixtures.VOCAB, length, false), 3);
            boolean[][] real = Fixtures.real(length, length, length - 300);
            int[][] tokens = Fixtures.tokens(4, 2, length);
            NDArray ids = Fixtures.ids(manager, tokens);
            NDArray mask = Fixtures.mask(manager, real);

            List<float[]> blocked = gradients(manager, model, ids, mask, null);
            List<float[]> whole = gradients(manager, model, ids, mask, (layer, map) -> {});

            double difference = 0;
            double norm = 0;
            for (int p = 0; p < whole.size(); p++) {
                for (int i = 0; i < whole.get(p).length; i++) {
                    double d = blocked.get(p)[i] - whole.get(p)[i];
                    difference += d * d;
                    norm += (double) whole.get(p)[i] * whole.get(p)[i];
                }
            }
            assertThat(norm).as("gradient norm²").isGreaterThan(1e-6);
            assertThat(Math.sqrt(difference / norm)).as("relative difference of all gradients").isLessThan(1e-5);
        }
    }

    /** Gradients of mean(h²) over the encoder's output h, one array per parameter in the stable order. */
    private static List<float[]> gradients(NDManager manager, DiffTransformer model, NDArray ids, NDArray mask,
                                           AttentionProbe probe) {
        try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
            collector.zeroGradients();
            NDArray hidden = model.encode(new ParameterStore(manager, false), ids, mask, true, probe); // (B, T, D)
            collector.backward(hidden.mul(hidden).mean());
        }
        List<float[]> gradients = new ArrayList<>();
        for (Parameter parameter : model.namedParameters().values()) {
            gradients.add(parameter.getArray().getGradient().toFloatArray());
        }
        return gradients;
    }
}
