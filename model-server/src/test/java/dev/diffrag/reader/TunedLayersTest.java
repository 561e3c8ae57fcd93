package dev.diffrag.reader;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import dev.diffrag.answer.Passage;
import dev.diffrag.model.AttentionKind;
import dev.diffrag.model.Autograd;
import dev.diffrag.reader.pretrained.PretrainedBert;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A reader whose input fine-tunes bge-small's top layers: before training it reads exactly the frozen encoder's
 * features, position by position (windows, [CLS]/[SEP] rows and the gather are laid out right); its tuned layers get
 * gradients at a smaller learning rate and survive a checkpoint.
 */
class TunedLayersTest {

    private static final String QUESTION = "When was the Eiffel Tower built?";
    private static final List<Passage> PASSAGES = List.of(new Passage("p0", "The Eiffel Tower was built in 1889."),
            new Passage("p1", "Paris is the capital and most populous city of France, on the Seine. ".repeat(30)),
            new Passage("p2", "Gustave Eiffel's company designed and built the tower."));
    private static final ReaderConfig TUNED = ReaderConfig.of(AttentionKind.DIFF_V1, ReaderConfig.Input.BGE_SMALL_TUNED,
            32, 1, 16, 4096);
    private static final ReaderConfig FROZEN = ReaderConfig.of(AttentionKind.DIFF_V1,
            ReaderConfig.Input.BGE_SMALL_FEATURES, 32, 1, 16, 4096);

    private static NDManager manager;
    private static ReaderFeaturizer tunedFeaturizer;
    private static ReaderModel model;

    @BeforeAll
    static void build() {
        manager = NDManager.newBaseManager(Device.cpu());
        tunedFeaturizer = new ReaderFeaturizer(TUNED, 1L << 24, 1);
        model = new ReaderModel(TUNED);
        model.initialize(manager, DataType.FLOAT32, new Shape(1, 1), new Shape(1, 1), new Shape(1, 1));
        try (PretrainedBert pretrained = PretrainedBert.load(TUNED.input().onnxResource(), Device.cpu())) {
            model.initialiseTunedLayers(pretrained);
        }
    }

    @AfterAll
    static void close() {
        tunedFeaturizer.close();
        manager.close();
    }

    /** Two inputs of different lengths: one passage several windows long, and the batch padded. */
    private static List<ReaderFeaturizer.Encoded> batch(ReaderFeaturizer featurizer) {
        return List.of(featurizer.encode(QUESTION, PASSAGES), featurizer.encode("Who designed it?", PASSAGES.subList(2,
                3)));
    }

    @Test
    void beforeTrainingTheTunedLayersReproduceTheFrozenEncodersFeatures() {
        assertThat(tunedFeaturizer.tokens(PASSAGES.get(1).text()).size())
                .isGreaterThan(FrozenTokenFeatures.WINDOW_TOKENS);
        float[] expected;
        try (ReaderFeaturizer frozen = new ReaderFeaturizer(FROZEN, 1L << 24, 1); NDManager scope = manager.newSubManager()) {
            expected = frozen.inputs(batch(frozen), FROZEN.input(), scope).get(0).toFloatArray(); // (B, T, 384)
        }
        float[] tuned;
        try (NDManager scope = manager.newSubManager()) {
            NDList inputs = tunedFeaturizer.inputs(batch(tunedFeaturizer), TUNED.input(), scope);
            tuned = Autograd.off(() -> model.tunedFeatures(new ParameterStore(scope, false), inputs, false)
                    .toFloatArray());
        }
        assertThat(tuned).hasSameSizeAs(expected);
        double error = 0;
        double norm = 0;
        for (int i = 0; i < expected.length; i++) {
            error += (tuned[i] - expected[i]) * (double) (tuned[i] - expected[i]);
            norm += expected[i] * (double) expected[i];
        }
        assertThat(norm).isPositive();
        assertThat(Math.sqrt(error / norm)).isLessThan(1e-4);
    }

    @Test
    void theTunedLayersLearnAtASmallerRateAndSurviveACheckpoint(@TempDir Path dir) throws Exception {
        String tunedWeight = "pretrained.top.1.attention.self.query.weight";
        assertThat(model.namedParameters()).containsKey(tunedWeight);
        assertThat(ReaderModel.learningRateScale(tunedWeight)).isEqualTo(ReaderModel.PRETRAINED_LR_SCALE);
        assertThat(ReaderModel.learningRateScale("span_head.weight")).isEqualTo(1);
        try (NDManager scope = manager.newSubManager()) {
            NDList inputs = tunedFeaturizer.inputs(batch(tunedFeaturizer), TUNED.input(), scope);
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                NDArray start = model.forward(new ParameterStore(scope, false), inputs, true).get(0);
                collector.backward(start.get(":, 5:9").sum());
            }
            NDArray gradient = model.namedParameters().get(tunedWeight).getArray().getGradient();
            assertThat(gradient.abs().sum().getFloat()).isPositive();
            gradient.set(new NDIndex("..."), 0);

            float[] before = Autograd.off(() -> model.forward(new ParameterStore(scope, false), inputs, false).get(0)
                    .toFloatArray());
            ReaderCheckpoint.save(dir, model, new Calibration(0.5, 0, "test", 0, 0, 0));
            try (NDManager loadedManager = NDManager.newBaseManager(Device.cpu())) {
                ReaderModel loaded = ReaderCheckpoint.load(dir, loadedManager).model();
                float[] after = Autograd.off(() -> loaded.forward(new ParameterStore(scope, false), inputs, false)
                        .get(0).toFloatArray());
                assertThat(after).containsExactly(before, within(2e-2f));
            }
        }
    }
}
