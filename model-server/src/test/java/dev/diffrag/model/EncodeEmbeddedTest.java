package dev.diffrag.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Continuous inputs: the token path is the embedding lookup followed by exactly what encodeEmbedded runs. */
class EncodeEmbeddedTest {

    @ParameterizedTest
    @EnumSource(AttentionKind.class)
    void equalsEncodeOnTheLookedUpEmbeddings(AttentionKind kind) {
        try (NDManager manager = NDManager.newBaseManager()) {
            DiffTransformer model = Fixtures.model(manager, Fixtures.config(kind, false, false), 11);
            ParameterStore ps = new ParameterStore(manager, false);
            int[][] ids = Fixtures.tokens(5, 2, 6);
            NDArray tokens = manager.create(ids);
            NDArray mask = manager.create(new float[][] {{1, 1, 1, 1, 1, 1}, {1, 1, 1, 1, 0, 0}});
            NDArray table = model.namedParameters().get("embed_tokens.weight").getArray();
            NDArray x = table.get(tokens.flatten()).reshape(2, 6, table.getShape().get(1)); // (B, T, D)

            NDArray viaTokens = model.encode(ps, tokens, mask, false, null);
            NDArray viaVectors = model.encodeEmbedded(ps, x, mask, false, null);

            // Only real positions are defined; padding outputs are meaningless by contract.
            NDArray realMask = mask.expandDims(-1);
            assertThat(viaVectors.getShape()).isEqualTo(new Shape(2, 6, 32));
            assertThat(viaTokens.sub(viaVectors).mul(realMask).abs().max().getFloat()).isLessThan(1e-5f);
            // and the inputs matter: other vectors give other outputs
            NDArray other = model.encodeEmbedded(ps, x.mul(2).add(0.5f), mask, false, null);
            assertThat(other.sub(viaVectors).abs().max().getFloat()).isGreaterThan(1e-2f);
        }
    }

    @Test
    void rejectsVectorsOfTheWrongWidth() {
        try (NDManager manager = NDManager.newBaseManager()) {
            DiffTransformer model = Fixtures.model(manager, Fixtures.config(AttentionKind.DIFF_V1, false, false), 11);
            ParameterStore ps = new ParameterStore(manager, false);
            assertThatThrownBy(() -> model.encodeEmbedded(ps, manager.zeros(new Shape(1, 3, 7)), null, false, null))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("(B, T, 32)");
        }
    }
}
