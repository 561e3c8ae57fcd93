package dev.diffrag.model.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.norm.Dropout;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Parameter;
import dev.diffrag.model.AttentionKind;
import dev.diffrag.model.DiffTransformer;
import dev.diffrag.model.io.ModelCheckpoint;
import dev.diffrag.model.io.ModelFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelTrainerTest {

    private static final int HALF = 4;
    private final TrainingConfig config = TrainingConfig.of(1e-2, 2, 2 * HALF, 8, 3).withCheckpointEvery(HALF);

    @TempDir
    Path dir;

    private static ModelTrainer trainer(DiffTransformer model, TrainingConfig config) {
        return new ModelTrainer(model, model.namedParameters(), model.config(), config, new CopyTask(8, 3),
                new TokenCrossEntropy());
    }

    private static Map<String, float[]> weights(DiffTransformer model) {
        return model.namedParameters().entrySet().stream()
                .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().getArray().toFloatArray()));
    }

    @Test
    void resumingFromACheckpointContinuesExactlyAsTheUninterruptedRun() throws IOException {
        try (NDManager manager = NDManager.newBaseManager()) {
            DiffTransformer straightModel = CopyTask.model(manager, AttentionKind.DIFF_V1, 3);
            List<StepStats> straight;
            try (ModelTrainer trainer = trainer(straightModel, config)) {
                straight = trainer.train(dir.resolve("straight"));
            }

            DiffTransformer firstModel = CopyTask.model(manager, AttentionKind.DIFF_V1, 3);
            try (ModelTrainer trainer = trainer(firstModel, config)) {
                List<StepStats> first = trainer.trainUntil(HALF, dir.resolve("interrupted"));
                assertThat(first).containsExactlyElementsOf(straight.subList(0, HALF));
            }
            Path checkpoint = ModelTrainer.latestCheckpoint(dir.resolve("interrupted")).orElseThrow();
            assertThat(checkpoint.getFileName()).hasToString("step-00000004");
            assertThat(checkpoint).isDirectoryContaining(p -> p.getFileName().toString().equals("optimizer.safetensors"));

            // A model initialised differently: everything it ends with must come from the checkpoint.
            DiffTransformer resumedModel = CopyTask.model(manager, AttentionKind.DIFF_V1, 99);
            List<StepStats> second;
            try (ModelTrainer trainer = trainer(resumedModel, config)) {
                trainer.resume(checkpoint);
                assertThat(trainer.step()).isEqualTo(HALF);
                second = trainer.train(dir.resolve("interrupted"));
            }

            assertThat(second).hasSize(HALF);
            for (int i = 0; i < HALF; i++) {
                StepStats expected = straight.get(HALF + i);
                assertThat(second.get(i).step()).isEqualTo(expected.step());
                assertThat(second.get(i).learningRate()).isEqualTo(expected.learningRate());
                assertThat(second.get(i).loss()).as("loss of step %d", expected.step())
                        .isCloseTo(expected.loss(), within(1e-6));
            }
            Map<String, float[]> straightWeights = weights(straightModel);
            weights(resumedModel).forEach((name, values) ->
                    assertThat(values).as(name).containsExactly(straightWeights.get(name),
                            within(1e-6f)));
            assertThat(ModelTrainer.latestCheckpoint(dir.resolve("interrupted")).orElseThrow().getFileName())
                    .hasToString("step-00000008");
        }
    }

    /** The copy-task model with dropout on its logits: every training pass draws a mask from the engine. */
    private static final class WithDropout extends AbstractBlock {
        private final DiffTransformer model;

        WithDropout(DiffTransformer model) {
            this.model = model;
        }

        @Override
        protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training,
                PairList<String, Object> params) {
            NDList logits = model.forward(ps, inputs, training);
            return training ? Dropout.dropout(logits.head(), 0.5f, true) : logits;
        }

        @Override
        public Shape[] getOutputShapes(Shape[] inputShapes) {
            return model.getOutputShapes(inputShapes);
        }
    }

    /**
     * A block with dropout draws its masks from the engine's generator, which a checkpoint cannot hold: resumed, the
     * run drew other masks than the uninterrupted one (loss of step 5 2.389, uninterrupted 2.479).
     */
    @Test
    void resumingAModelWithDropoutContinuesExactlyAsTheUninterruptedRun() throws IOException {
        try (NDManager manager = NDManager.newBaseManager()) {
            DiffTransformer straightModel = CopyTask.model(manager, AttentionKind.VANILLA, 3);
            List<StepStats> straight;
            try (ModelTrainer trainer = new ModelTrainer(new WithDropout(straightModel),
                    straightModel.namedParameters(), straightModel.config(), config, new CopyTask(8, 3),
                    new TokenCrossEntropy())) {
                straight = trainer.train(dir.resolve("straight"));
            }
            DiffTransformer firstModel = CopyTask.model(manager, AttentionKind.VANILLA, 3);
            try (ModelTrainer trainer = new ModelTrainer(new WithDropout(firstModel), firstModel.namedParameters(),
                    firstModel.config(), config, new CopyTask(8, 3), new TokenCrossEntropy())) {
                trainer.trainUntil(HALF, dir.resolve("interrupted"));
            }
            DiffTransformer resumedModel = CopyTask.model(manager, AttentionKind.VANILLA, 99);
            List<StepStats> second;
            try (ModelTrainer trainer = new ModelTrainer(new WithDropout(resumedModel),
                    resumedModel.namedParameters(), resumedModel.config(), config, new CopyTask(8, 3),
                    new TokenCrossEntropy())) {
                trainer.resume(ModelTrainer.latestCheckpoint(dir.resolve("interrupted")).orElseThrow());
                second = trainer.train(dir.resolve("interrupted"));
            }
            for (int i = 0; i < HALF; i++) {
                assertThat(second.get(i).loss()).as("loss of step %d", HALF + i + 1)
                        .isCloseTo(straight.get(HALF + i).loss(), within(1e-6));
            }
        }
    }

    /**
     * PyTorch's autograd switch is per thread and on by default on any thread but the one that started the engine
     * (see Autograd): the updates, in place on parameters that require gradients, failed there with "a leaf Variable
     * that requires grad is being used in an in-place operation".
     */
    @Test
    void trainsOnAThreadOtherThanTheOneThatStartedTheEngine() throws Exception {
        try (NDManager manager = NDManager.newBaseManager()) {
            DiffTransformer model = CopyTask.model(manager, AttentionKind.DIFF_V1, 3);
            TrainingConfig short_ = TrainingConfig.of(1e-2, 1, 2, 8, 3);
            ExecutorService other = Executors.newSingleThreadExecutor();
            try {
                List<StepStats> stats = other.submit(() -> {
                    try (ModelTrainer trainer = trainer(model, short_)) {
                        return trainer.train(null);
                    }
                }).get();
                assertThat(stats).hasSize(2);
            } finally {
                other.shutdown();
            }
        }
    }

    @Test
    void trainingLeavesNoArraysBehindAndItsCheckpointLoadsAsAModel() throws IOException {
        try (NDManager manager = NDManager.newBaseManager()) {
            DiffTransformer model = CopyTask.model(manager, AttentionKind.VANILLA, 3);
            TrainingConfig short_ = TrainingConfig.of(1e-2, 1, 2, 8, 3).withCheckpointEvery(2);
            int arraysBefore = manager.getManagedArrays().size();
            try (ModelTrainer trainer = trainer(model, short_)) {
                trainer.train(dir);
            }
            assertThat(manager.getManagedArrays()).as("arrays left behind by training").hasSize(arraysBefore);
            Path checkpoint = ModelTrainer.latestCheckpoint(dir).orElseThrow();
            assertThat(Files.exists(checkpoint.resolve(ModelFiles.CONFIG))).isTrue();
            DiffTransformer loaded = ModelCheckpoint.load(checkpoint, manager);
            Map<String, float[]> expected = weights(model);
            weights(loaded).forEach((name, values) -> assertThat(values).as(name).containsExactly(expected.get(name)));
        }
    }

    @Test
    void refusesToResumeUnderAnotherConfigurationOrWithParametersInAnotherType() throws IOException {
        try (NDManager manager = NDManager.newBaseManager()) {
            DiffTransformer model = CopyTask.model(manager, AttentionKind.DIFF_V2, 3);
            try (ModelTrainer trainer = trainer(model, config)) {
                trainer.trainUntil(HALF, dir);
            }
            Path checkpoint = ModelTrainer.latestCheckpoint(dir).orElseThrow();
            TrainingConfig longer = TrainingConfig.of(1e-2, 2, 4 * HALF, 8, 3).withCheckpointEvery(HALF);
            try (ModelTrainer trainer = trainer(model, longer)) {
                assertThatThrownBy(() -> trainer.resume(checkpoint)).isInstanceOf(IOException.class)
                        .hasMessageContaining("was written with");
            }

            Map<String, Parameter> parameters = model.namedParameters();
            TrainingConfig bf16 = new TrainingConfig(1e-2, 1e-3, 2, 8, 0.1, 0.9, 0.95, 1e-8, 1, 3, 8, 0, 1,
                    DataType.BFLOAT16);
            assertThatThrownBy(() -> new ModelTrainer(model, parameters, model.config(), bf16, new CopyTask(8, 3),
                    new TokenCrossEntropy())).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("is float32 but the training config says bfloat16");
        }
    }
}
