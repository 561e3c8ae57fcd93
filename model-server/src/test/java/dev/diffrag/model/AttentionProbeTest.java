package dev.diffrag.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The recorded maps have the documented shape and meaning: each softmax row sums to 1, so a vanilla row sums to
 * 1, a V1 row to 1 − λ, a V2 row to 1 − sigmoid(λ_t); masked keys get nothing.
 */
class AttentionProbeTest {

    @ParameterizedTest
    @EnumSource(AttentionKind.class)
    void mapsHaveTheDocumentedShapeRowSumsAndMasks(AttentionKind kind) {
        try (NDManager manager = NDManager.newBaseManager(); AttentionMaps maps = new AttentionMaps(manager)) {
            ModelConfig config = Fixtures.config(kind, true, true);
            DiffTransformer model = Fixtures.model(manager, config, 47);
            Reference reference = new Reference(model);
            ParameterStore ps = new ParameterStore(manager, false);
            int length = 6;
            int[][] tokens = Fixtures.tokens(49, 2, length);
            boolean[][] real = Fixtures.real(length, length, 4);
            try (NDManager pass = manager.newSubManager()) {
                model.encode(ps, Fixtures.ids(pass, tokens), Fixtures.mask(pass, real), false, maps);
            }
            assertThat(maps.size()).isEqualTo(config.layers());
            for (int layer = 0; layer < config.layers(); layer++) {
                NDArray map = maps.layer(layer); // still valid after the pass's manager closed
                assertThat(map.getShape()).isEqualTo(new Shape(2, config.heads(), length, length));
                float[] rowSums = map.sum(new int[] {-1}).toFloatArray(); // (B, heads, T)
                for (int b = 0; b < 2; b++) {
                    for (int head = 0; head < config.heads(); head++) {
                        for (int t = 0; t < length; t++) {
                            float sum = rowSums[(b * config.heads() + head) * length + t];
                            switch (kind) {
                                case VANILLA -> assertThat(sum).isCloseTo(1f, within(1e-4f));
                                case DIFF_V1 -> assertThat((double) sum)
                                        .isCloseTo(1.0 - reference.lambda(layer), within(1e-4));
                                // 1 − sigmoid(λ_t) with λ_t from the layer input: strictly between 0 and 1
                                case DIFF_V2 -> assertThat(sum).isStrictlyBetween(0f, 1f);
                            }
                            for (int s = 0; s < length; s++) {
                                if (s > t || !real[b][s]) {
                                    assertThat(map.getFloat(b, head, t, s)).isZero();
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
