package dev.diffrag.reader;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.diffrag.model.AttentionKind;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Both shipped frozen encoders give one finite 384-vector per token, whatever else shares their onnxruntime run. */
class FrozenTokenFeaturesTest {

    private static final String SHORT = "The Eiffel Tower was built in 1889.";
    private static ReaderTokenizer tokenizer;

    @BeforeAll
    static void load() {
        tokenizer = new ReaderTokenizer();
    }

    @AfterAll
    static void close() {
        tokenizer.close();
    }

    private static String longText() {
        return "Paris is the capital and most populous city of France, on the Seine. ".repeat(30);
    }

    @ParameterizedTest
    @EnumSource(value = ReaderConfig.Input.class, names = {"MINILM_FEATURES", "BGE_SMALL_FEATURES"})
    void oneRowPerTokenIndependentOfTheBatch(ReaderConfig.Input input) {
        int[] shortIds = tokenizer.tokenize(SHORT).ids();
        int[] longIds = tokenizer.tokenize(longText()).ids();
        assertThat(longIds.length).isGreaterThan(FrozenTokenFeatures.WINDOW_TOKENS); // several windows
        try (FrozenTokenFeatures features = new FrozenTokenFeatures(input, 1)) {
            float[][] alone = features.features(List.of(shortIds)).get(0);
            List<float[][]> together = features.features(List.of(longIds, shortIds));

            assertThat(alone).hasNumberOfRows(shortIds.length);
            assertThat(together.get(0)).hasNumberOfRows(longIds.length);
            for (float[][] rows : List.of(alone, together.get(0))) {
                for (float[] row : rows) {
                    assertThat(row).hasSize(FrozenTokenFeatures.DIM);
                    for (float v : row) {
                        assertThat(Float.isFinite(v)).isTrue();
                    }
                }
            }
            // Padding in a shared run must not leak into a shorter text's features.
            for (int t = 0; t < shortIds.length; t++) {
                for (int d = 0; d < FrozenTokenFeatures.DIM; d++) {
                    assertThat(together.get(1)[t][d]).isCloseTo(alone[t][d], within(1e-4f));
                }
            }
        }
    }

    @Test
    void theTwoEncodersAreDifferentModels() {
        int[] ids = tokenizer.tokenize(SHORT).ids();
        float[] miniLm;
        float[] bge;
        try (FrozenTokenFeatures features = new FrozenTokenFeatures(ReaderConfig.Input.MINILM_FEATURES, 1)) {
            miniLm = features.features(List.of(ids)).get(0)[0];
        }
        try (FrozenTokenFeatures features = new FrozenTokenFeatures(ReaderConfig.Input.BGE_SMALL_FEATURES, 1)) {
            bge = features.features(List.of(ids)).get(0)[0];
        }
        assertThat(bge).isNotEqualTo(miniLm);
    }

    @Test
    void readersWithDifferentFrozenEncodersCannotShareAFeaturizer() {
        ReaderConfig miniLm = ReaderConfig.of(AttentionKind.DIFF_V1, ReaderConfig.Input.MINILM_FEATURES, 32, 1, 16,
                128);
        ReaderConfig bge = ReaderConfig.of(AttentionKind.VANILLA, ReaderConfig.Input.BGE_SMALL_FEATURES, 32, 1, 16,
                128);
        ReaderConfig scratch = ReaderConfig.of(AttentionKind.VANILLA, ReaderConfig.Input.TOKEN_EMBEDDINGS, 32, 1, 16,
                128);
        assertThatThrownBy(() -> ReaderFeaturizer.sharedBy(List.of(miniLm, bge), 4, 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("BGE_SMALL_FEATURES");
        try (ReaderFeaturizer shared = ReaderFeaturizer.sharedBy(List.of(scratch, bge), 4, 1)) {
            assertThat(shared.input()).isEqualTo(ReaderConfig.Input.BGE_SMALL_FEATURES);
        }
    }
}
