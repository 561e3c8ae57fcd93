package dev.diffrag.reader.pretrained;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import dev.diffrag.reader.FrozenTokenFeatures;
import dev.diffrag.reader.ReaderConfig;
import dev.diffrag.reader.ReaderTokenizer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The encoders rebuilt on DJL from their ONNX weights compute what onnxruntime computes from the same file: the
 * weights are read and named right, and the layer is BERT's.
 */
class PretrainedBertTest {

    private static final List<String> TEXTS = List.of("The Eiffel Tower was built in 1889.",
            "Paris is the capital and most populous city of France, on the Seine, with an estimated population of "
                    + "2,102,650 residents in January 2023 in an area of more than 105 km2.");

    @ParameterizedTest
    @CsvSource({"BGE_SMALL_FEATURES, /bge-small-en-v1.5.onnx, 12", "MINILM_FEATURES, /all-minilm-l6-v2.onnx, 6"})
    void itsLastLayerEqualsOnnxruntimeOnTheSameFile(ReaderConfig.Input input, String resource, int layers) {
        List<int[]> ids = new ArrayList<>();
        List<int[]> windows = new ArrayList<>();
        try (ReaderTokenizer tokenizer = new ReaderTokenizer()) {
            for (String text : TEXTS) {
                int[] tokens = tokenizer.tokenize(text).ids();
                int[] window = new int[tokens.length + 2];
                window[0] = ReaderTokenizer.CLS;
                System.arraycopy(tokens, 0, window, 1, tokens.length);
                window[tokens.length + 1] = ReaderTokenizer.SEP;
                ids.add(tokens);
                windows.add(window);
            }
        }
        List<float[][]> expected;
        try (FrozenTokenFeatures onnx = new FrozenTokenFeatures(input, 1)) {
            expected = onnx.features(ids);
        }
        try (PretrainedBert bert = PretrainedBert.load(resource, Device.cpu())) {
            assertThat(bert.layers()).isEqualTo(layers);
            List<float[][]> states = bert.hiddenStates(windows, layers); // both windows in one padded run
            for (int t = 0; t < TEXTS.size(); t++) {
                assertThat(states.get(t)).hasNumberOfRows(windows.get(t).length);
                double error = 0;
                double norm = 0;
                for (int i = 0; i < ids.get(t).length; i++) {
                    for (int d = 0; d < PretrainedBert.WIDTH; d++) {
                        double diff = states.get(t)[i + 1][d] - expected.get(t)[i][d];
                        error += diff * diff;
                        norm += expected.get(t)[i][d] * (double) expected.get(t)[i][d];
                    }
                }
                assertThat(Math.sqrt(error / norm)).as("relative error, text %d", t).isLessThan(1e-4);
            }
            Map<String, OnnxWeights.Tensor> top = bert.layerWeights(layers - 1);
            assertThat(top.keySet()).containsExactlyInAnyOrderElementsOf(BertLayer.WEIGHTS);
            top.forEach((name, tensor) -> assertThat(tensor.shape()).as(name).containsExactly(
                    BertLayer.shape(name, PretrainedBert.WIDTH, PretrainedBert.INTERMEDIATE).getShape()));
        }
    }

    @Test
    void repeatedRunsLeaveNoArraysOnTheEncodersManager() {
        // The shipped reader's features come from here on every request: an array left per run grows without bound.
        try (PretrainedBert bert = PretrainedBert.load("/all-minilm-l6-v2.onnx", Device.cpu())) {
            List<int[]> windows = List.of(new int[] {ReaderTokenizer.CLS, 2054, 2003, ReaderTokenizer.SEP});
            bert.meanHiddenStates(windows, bert.layers(), 2);
            int before = bert.manager().getManagedArrays().size();

            for (int i = 0; i < 5; i++) {
                bert.meanHiddenStates(windows, bert.layers(), 2);
            }

            assertThat(bert.manager().getManagedArrays().size()).as("arrays on the encoder's manager").isEqualTo(before);
        }
    }
}
