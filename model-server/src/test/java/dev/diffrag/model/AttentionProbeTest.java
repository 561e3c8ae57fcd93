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

    /**
     * The logits hook sees one (B, heads, T, S) array per softmax (vanilla H, V1 and V2 2h), whose masked softmax
     * gives back the recorded map (vanilla) or its even-minus-odd pairing (V1 with λ, V2 with sigmoid(λ_t) inside);
     * the hidden hook sees each block's (B, T, D) output, the last of which the final norm turns into encode's output.
     */
    @ParameterizedTest
    @EnumSource(AttentionKind.class)
    void logitsAndHiddenStatesReachTheProbe(AttentionKind kind) {
        try (NDManager manager = NDManager.newBaseManager(); NDManager kept = manager.newSubManager()) {
            ModelConfig config = Fixtures.config(kind, true, false);
            DiffTransformer model = Fixtures.model(manager, config, 51);
            Reference reference = new Reference(model);
            ParameterStore ps = new ParameterStore(manager, false);
            int length = 5;
            NDArray[] logits = new NDArray[config.layers()];
            NDArray[] maps = new NDArray[config.layers()];
            NDArray[] hidden = new NDArray[config.layers()];
            AttentionProbe probe = new AttentionProbe() {
                @Override
                public void record(int layer, NDArray map) {
                    maps[layer] = keep(map);
                }

                @Override
                public void recordLogits(int layer, NDArray scores) {
                    logits[layer] = keep(scores);
                }

                @Override
                public void recordHidden(int layer, NDArray states) {
                    hidden[layer] = keep(states);
                }

                private NDArray keep(NDArray array) {
                    NDArray copy = array.duplicate();
                    copy.attach(kept);
                    return copy;
                }
            };
            NDArray output = model.encode(ps, Fixtures.ids(manager, Fixtures.tokens(53, 1, length)), null, false,
                    probe);
            int softmaxes = kind == AttentionKind.VANILLA ? config.heads() : 2 * config.heads();
            float[] future = new float[length * length];
            for (int t = 0; t < length; t++) {
                for (int k = t + 1; k < length; k++) {
                    future[t * length + k] = -1e9f;
                }
            }
            NDArray causal = manager.create(future, new Shape(length, length)); // (T, S) additive mask
            for (int layer = 0; layer < config.layers(); layer++) {
                assertThat(logits[layer].getShape()).isEqualTo(new Shape(1, softmaxes, length, length));
                assertThat(hidden[layer].getShape()).isEqualTo(new Shape(1, length, config.dModel()));
                NDArray p = logits[layer].add(causal).softmax(-1);                      // (1, softmaxes, T, S)
                if (kind == AttentionKind.VANILLA) {
                    assertThat(p.sub(maps[layer]).abs().max().getFloat()).isLessThan(1e-5f);
                } else {
                    NDArray pairs = p.reshape(1, config.heads(), 2, length, length);
                    NDArray even = pairs.get(":, :, 0");
                    if (kind == AttentionKind.DIFF_V1) {
                        NDArray expected = even.sub(pairs.get(":, :, 1").mul((float) reference.lambda(layer)));
                        assertThat(expected.sub(maps[layer]).abs().max().getFloat()).isLessThan(1e-5f);
                    } else {
                        // P_even − sigmoid(λ_t)·P_odd: below the even softmax, and not equal to it.
                        assertThat(maps[layer].sub(even).max().getFloat()).isLessThan(1e-5f);
                        assertThat(even.sub(maps[layer]).sum().getFloat()).isGreaterThan(1e-3f);
                    }
                }
            }
            assertThat(output.getShape()).isEqualTo(hidden[config.layers() - 1].getShape());
        }
    }
}
