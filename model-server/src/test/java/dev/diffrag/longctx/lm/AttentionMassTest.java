package dev.diffrag.longctx.lm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

import java.util.List;
import org.junit.jupiter.api.Test;

class AttentionMassTest {

    @Test
    void sumsTheSpanAndTheRestOfTheContextAveragedOverHeadsAndLayers() {
        // Context of 6 tokens, answer span [2, 4), then 2 question tokens that count for neither.
        float[][] layer0 = {
            {0.1f, 0.0f, 0.4f, 0.3f, 0.1f, 0.0f, 0.05f, 0.05f},   // answer 0.7, noise 0.2
            {0.2f, 0.2f, 0.0f, 0.1f, 0.2f, 0.1f, 0.1f, 0.1f}};    // answer 0.1, noise 0.7
        float[][] layer1 = {
            {0.0f, 0.0f, 0.6f, -0.1f, 0.0f, 0.2f, 0.0f, 0.0f},    // a differential map may go negative
            {0.5f, 0.0f, 0.25f, 0.25f, 0.0f, 0.0f, 0.0f, 0.0f}};
        AttentionMass mass = AttentionMass.of(List.of(layer0, layer1), 2, 4, 6);
        assertThat(mass.answer()).isCloseTo((0.7 + 0.1 + 0.5 + 0.5) / 4, offset(1e-6));
        assertThat(mass.noise()).isCloseTo((0.2 + 0.7 + 0.2 + 0.5) / 4, offset(1e-6));
        assertThat(mass.noiseShareOfMagnitude()).isCloseTo((0.2 + 0.7 + 0.2 / 0.9 + 0.5) / 4, offset(1e-6));
    }

    @Test
    void signedEntriesThatCancelInTheNoiseStillCountInItsShareOfTheMagnitude() {
        // A differential row: +0.3 and −0.3 on context keys cancel in the noise but not in the magnitude.
        float[][] layer = {{0.3f, -0.3f, 0.4f, 0.0f}};

        AttentionMass mass = AttentionMass.of(List.<float[][]>of(layer), 2, 3, 4);

        assertThat(mass.noise()).isCloseTo(0.0, offset(1e-6));
        assertThat(mass.noiseShareOfMagnitude()).isCloseTo(0.6, offset(1e-6));
    }

    @Test
    void rejectsSpansOutsideTheContext() {
        List<float[][]> rows = List.<float[][]>of(new float[][] {{1f, 0f, 0f}});
        assertThatThrownBy(() -> AttentionMass.of(rows, 2, 4, 3)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> AttentionMass.of(rows, 1, 1, 3)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> AttentionMass.of(rows, 0, 1, 4)).hasMessageContaining("shorter");
    }
}
