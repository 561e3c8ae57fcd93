package dev.diffrag.reader;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import dev.diffrag.answer.Passage;
import dev.diffrag.model.AttentionKind;
import dev.diffrag.model.io.ModelFiles;
import dev.diffrag.model.io.SafeTensors;
import dev.diffrag.model.train.ModelTrainer;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Training dropout acts only in training forward passes: at inference a reader trained with dropout reads exactly as
 * the same weights without it, and a training pass with a rate of 0 computes the inference scores.
 */
class ReaderDropoutTest {

    private static final ReaderConfig CONFIG = ReaderConfig.of(AttentionKind.DIFF_V1,
            ReaderConfig.Input.TOKEN_EMBEDDINGS, 32, 1, 16, 256);
    private static final List<Passage> PASSAGES = List.of(new Passage("p0", "The Eiffel Tower was built in 1889."));

    @Test
    void dropoutChangesTrainingScoresOnly(@TempDir Path dir) throws Exception {
        try (NDManager manager = NDManager.newBaseManager(Device.cpu());
                ReaderFeaturizer featurizer = new ReaderFeaturizer(CONFIG, 1L << 24, 1)) {
            ModelTrainer.seed(7);
            ReaderModel plain = initialized(new ReaderModel(CONFIG), manager);
            ModelFiles.save(dir, CONFIG, plain.namedParameters(), SafeTensors.Dtype.F32);
            ReaderModel dropped = initialized(new ReaderModel(CONFIG, 0.5), manager);
            ModelFiles.loadWeights(dir, dropped.namedParameters());

            NDList inputs = featurizer.inputs(List.of(featurizer.encode("When was it built?", PASSAGES)),
                    CONFIG.input(), manager);
            float[] inference = startScores(plain, inputs, false);
            assertThat(startScores(dropped, inputs, false)).containsExactly(inference);
            assertThat(startScores(plain, inputs, true)).containsExactly(inference);
            assertThat(startScores(dropped, inputs, true)).isNotEqualTo(inference);
        }
    }

    @Test
    void rejectsARateOutsideZeroToOne() {
        assertThatThrownBy(() -> new ReaderModel(CONFIG, 1.0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ReaderModel(CONFIG, -0.1)).isInstanceOf(IllegalArgumentException.class);
    }

    private static ReaderModel initialized(ReaderModel model, NDManager manager) {
        model.initialize(manager, DataType.FLOAT32, new Shape(1, 1), new Shape(1, 1), new Shape(1, 1));
        return model;
    }

    private static float[] startScores(ReaderModel model, NDList inputs, boolean training) {
        return model.forward(new ParameterStore(inputs.head().getManager(), false), inputs, training).get(0)
                .toFloatArray();
    }
}
