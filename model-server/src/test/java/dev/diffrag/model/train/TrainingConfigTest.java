package dev.diffrag.model.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.types.DataType;
import org.junit.jupiter.api.Test;

class TrainingConfigTest {

    /** Peak 1e-3, floor 1e-4, 10 warm-up steps, 110 in all: 100 steps of cosine decay. */
    private final TrainingConfig config = new TrainingConfig(1e-3, 1e-4, 10, 110, 0.1, 0.9, 0.95, 1e-8, 1.0, 7, 4,
            0, 10, DataType.FLOAT32);

    @Test
    void warmsUpLinearly() {
        assertThat(config.learningRateAt(1)).isCloseTo(1e-4, within(1e-15));
        assertThat(config.learningRateAt(5)).isCloseTo(5e-4, within(1e-15));
        assertThat(config.learningRateAt(10)).isCloseTo(1e-3, within(1e-15));
    }

    @Test
    void decaysAlongACosineToTheFloor() {
        // lr(step) = 1e-4 + 0.5 · 9e-4 · (1 + cos(π · (step − 10) / 100))
        assertThat(config.learningRateAt(35)).isCloseTo(1e-4 + 4.5e-4 * (1 + Math.sqrt(0.5)), within(1e-15));
        assertThat(config.learningRateAt(60)).isCloseTo(5.5e-4, within(1e-15));
        assertThat(config.learningRateAt(85)).isCloseTo(1e-4 + 4.5e-4 * (1 - Math.sqrt(0.5)), within(1e-15));
        assertThat(config.learningRateAt(110)).isCloseTo(1e-4, within(1e-15));
    }

    @Test
    void withoutWarmUpStartsDecayingAtOnce() {
        TrainingConfig noWarmup = new TrainingConfig(1e-3, 0, 0, 4, 0, 0.9, 0.95, 1e-8, 0, 7, 4, 0, 1,
                DataType.FLOAT32);
        assertThat(noWarmup.learningRateAt(1)).isCloseTo(0.5e-3 * (1 + Math.cos(Math.PI / 4)), within(1e-15));
        assertThat(noWarmup.learningRateAt(4)).isCloseTo(0, within(1e-15));
    }

    @Test
    void rejectsStepsOutsideTheRunAndNonsenseSettings() {
        assertThatThrownBy(() -> config.learningRateAt(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> config.learningRateAt(111)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> TrainingConfig.of(1e-3, 20, 10, 4, 1))
                .hasMessageContaining("warmupSteps <= totalSteps");
        assertThatThrownBy(() -> new TrainingConfig(1e-3, 0, 0, 10, 0, 1.0, 0.95, 1e-8, 0, 7, 4, 0, 1,
                DataType.FLOAT32)).hasMessageContaining("betas");
        assertThatThrownBy(() -> new TrainingConfig(1e-3, 0, 0, 10, 0, 0.9, 0.95, 1e-8, 0, 7, 4, 0, 1,
                DataType.FLOAT16)).hasMessageContaining("FLOAT32 or BFLOAT16");
    }
}
