package dev.diffrag.reader;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.diffrag.answer.Passage;
import dev.diffrag.model.AttentionKind;
import dev.diffrag.model.io.ModelFiles;
import dev.diffrag.model.train.TrainingConfig;
import dev.diffrag.reader.data.ReaderExample;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What {@code reader train} writes as a checkpoint's calibration is that of the checkpoint's own weights. */
class TrainingCalibrationTest {

    private static final Passage PARIS = new Passage("p", "Paris is the capital of France and its largest city.");

    /**
     * Training calibrated the float32 weights in memory and then saved them in float16: every confidence moves a
     * little with the rounding, and the threshold is one of them, so the threshold and rates written were not those
     * of the saved reader ({@code reader calibrate} on the same checkpoint chose another threshold).
     */
    @Test
    void theThresholdWrittenIsTheOneTheSavedWeightsGive(@TempDir Path dir) throws Exception {
        List<ReaderExample> examples = new ArrayList<>();
        String[] asked = {"What is the capital of France?", "Which city is the largest in France?",
            "Name the French capital.", "What is France's biggest city?", "Where is the capital of France?"};
        String[] unanswerable = {"Who wrote Hamlet?", "When did the war end?", "How tall is the tower?",
            "What colour is the sky?", "Who painted the ceiling?"};
        for (String question : asked) {
            examples.add(ReaderExample.single(question, PARIS, 0, 5, List.of("Paris")));
        }
        for (String question : unanswerable) {
            examples.add(new ReaderExample(question, List.of(PARIS), -1, 0, 0, List.of("Shakespeare")));
        }
        ReaderConfig config = ReaderConfig.of(AttentionKind.DIFF_V1, ReaderConfig.Input.TOKEN_EMBEDDINGS, 32, 1, 16,
                128);
        Path output = dir.resolve("reader");
        try (ReaderFeaturizer featurizer = new ReaderFeaturizer(config, 1L << 24, 1);
                NDManager manager = NDManager.newBaseManager()) {
            ReaderTraining.Dev dev = ReaderTraining.labelDev(examples, featurizer);
            ReaderTraining.train("test", config, 0, ReaderTraining.label(examples, featurizer), dev, featurizer,
                    TrainingConfig.of(1e-3, 0, 5, 1, 1), 2048, 5, 600, output);

            Calibration written = ModelFiles.readJson(output.resolve(Calibration.FILE), Calibration.class);
            ReaderModel saved = ReaderCheckpoint.loadModel(output, manager, DataType.FLOAT32);
            Calibration again = ReaderTraining.calibrateOnDev(saved, featurizer, dev, manager).calibration();
            assertThat(written.abstainThreshold()).isPositive();
            assertThat(written).isEqualTo(again);
        }
    }
}
