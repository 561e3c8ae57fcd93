package dev.diffrag.model.train;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import dev.diffrag.model.AttentionKind;
import dev.diffrag.model.DiffTransformer;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** A tiny model of each attention kind learns the copy task: the trainer, AdamW and the model's gradients work. */
class CopyTaskTest {

    static final int STEPS = 80;
    /** Chance is ln(10) ≈ 2.30 nats; under 0.2 the right symbol gets over 80% probability on (geometric) average. */
    static final double LOSS_BOUND = 0.2;

    @ParameterizedTest
    @EnumSource(AttentionKind.class)
    void learnsToCopy(AttentionKind kind) {
        TrainingConfig config = TrainingConfig.of(1e-2, 10, STEPS, 16, 11);
        try (NDManager manager = NDManager.newBaseManager()) {
            DiffTransformer model = CopyTask.model(manager, kind, 11);
            List<StepStats> history;
            try (ModelTrainer trainer = new ModelTrainer(model, model.namedParameters(), model.config(), config,
                    new CopyTask(16, 11), new TokenCrossEntropy())) {
                history = trainer.train(null);
            }
            assertThat(history).hasSize(STEPS);
            assertThat(history.get(0).loss()).isGreaterThan(2.0);
            double finalLoss = history.subList(STEPS - 10, STEPS).stream().mapToDouble(StepStats::loss).average()
                    .orElseThrow();
            System.out.printf("copy task %s: loss %.3f -> %.4f (mean of the last 10 of %d steps)%n", kind,
                    history.get(0).loss(), finalLoss, STEPS);
            assertThat(finalLoss).as("%s loss after %d steps", kind, STEPS).isLessThan(LOSS_BOUND);
        }
    }
}
