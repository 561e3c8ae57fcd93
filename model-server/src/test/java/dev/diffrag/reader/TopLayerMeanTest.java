package dev.diffrag.reader;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Device;
import dev.diffrag.reader.pretrained.PretrainedBert;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The mean of an encoder's top hidden states: it is the mean of the states it names, and {@link TopLayerMean} lays it
 * out row by row like the other frozen features, across window boundaries.
 */
class TopLayerMeanTest {

    @Test
    void meanHiddenStatesAverageTheStatesAfterTheTopLayers() {
        List<int[]> windows = windows("The Eiffel Tower was built in 1889.", "Paris is the capital of France.");
        try (PretrainedBert bert = PretrainedBert.load("/all-minilm-l6-v2.onnx", Device.cpu())) {
            int depth = bert.layers();
            List<float[][]> mean = bert.meanHiddenStates(windows, depth, 3);
            List<List<float[][]>> each = List.of(bert.hiddenStates(windows, depth - 2),
                    bert.hiddenStates(windows, depth - 1), bert.hiddenStates(windows, depth));
            for (int w = 0; w < windows.size(); w++) {
                for (int t = 0; t < windows.get(w).length; t++) {
                    for (int d = 0; d < PretrainedBert.WIDTH; d++) {
                        float expected = (each.get(0).get(w)[t][d] + each.get(1).get(w)[t][d]
                                + each.get(2).get(w)[t][d]) / 3;
                        assertThat(mean.get(w)[t][d]).isCloseTo(expected, within(1e-5f));
                    }
                }
            }
            // averaging depth + 1 states takes in the embeddings: at depth 0 that is the embeddings alone
            assertThat(bert.meanHiddenStates(windows, 0, 1).get(0)[1]).containsExactly(
                    bert.hiddenStates(windows, 0).get(0)[1]);
            assertThatThrownBy(() -> bert.meanHiddenStates(windows, 2, 4)).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void rowIIsTokenIAcrossWindowBoundaries() {
        try (ReaderTokenizer tokenizer = new ReaderTokenizer();
                TopLayerMean features = new TopLayerMean(ReaderConfig.Input.BGE_SMALL_TOP4_MEAN)) {
            int[] ids = tokenizer.tokenize("The tower was finished in March 1889 for the World's Fair. ".repeat(25))
                    .ids();
            int cut = FrozenTokenFeatures.WINDOW_TOKENS;
            assertThat(ids.length).isBetween(cut + 10, 2 * cut);
            int[] first = Arrays.copyOfRange(ids, 0, cut);
            int[] rest = Arrays.copyOfRange(ids, cut, ids.length);
            List<float[][]> whole = features.features(List.of(ids), List.of(new int[0]));
            List<float[][]> parts = features.features(List.of(first, rest), List.of(new int[0], new int[0]));
            assertThat(whole.get(0)).hasNumberOfRows(ids.length);
            for (int i = 0; i < ids.length; i++) {
                float[] expected = i < cut ? parts.get(0)[i] : parts.get(1)[i - cut];
                for (int d = 0; d < PretrainedBert.WIDTH; d++) {
                    assertThat(whole.get(0)[i][d]).as("token %d", i).isCloseTo(expected[d], within(1e-4f));
                }
            }
            assertThatThrownBy(() -> features.features(List.of(ids), List.of(new int[] {7})))
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void theMeanIsNotTheLastLayerAlone() {
        try (ReaderTokenizer tokenizer = new ReaderTokenizer();
                TopLayerMean mean = new TopLayerMean(ReaderConfig.Input.BGE_SMALL_TOP4_MEAN);
                FrozenTokenFeatures last = new FrozenTokenFeatures(ReaderConfig.Input.BGE_SMALL_FEATURES, 1)) {
            int[] ids = tokenizer.tokenize("The Eiffel Tower was built in 1889.").ids();
            float[] averaged = mean.features(List.of(ids), List.of(new int[0])).get(0)[3];
            float[] top = last.features(List.of(ids)).get(0)[3];
            double difference = 0;
            for (int d = 0; d < PretrainedBert.WIDTH; d++) {
                difference += Math.abs(averaged[d] - top[d]);
            }
            assertThat(difference / PretrainedBert.WIDTH).isGreaterThan(0.01);
        }
    }

    private static List<int[]> windows(String... texts) {
        List<int[]> ids = new ArrayList<>();
        try (ReaderTokenizer tokenizer = new ReaderTokenizer()) {
            for (String text : texts) {
                ids.add(tokenizer.tokenize(text).ids());
            }
        }
        return BelowTunedLayers.windowsOf(ids);
    }
}
