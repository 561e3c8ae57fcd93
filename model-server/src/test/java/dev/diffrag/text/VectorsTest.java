package dev.diffrag.text;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class VectorsTest {

    @Test
    void cosineIsTheAngleNotTheLength() {
        assertThat(Vectors.cosine(new float[] {1, 2, 3}, new float[] {2, 4, 6})).isCloseTo(1, within(1e-12));
        assertThat(Vectors.cosine(new float[] {1, 2, 3}, new float[] {-3, -6, -9})).isCloseTo(-1, within(1e-12));
        assertThat(Vectors.cosine(new float[] {1, 0}, new float[] {0, 5})).isZero();
        // 3·4 / (√(9 + 16) · 4) = 12 / 20
        assertThat(Vectors.cosine(new float[] {3, 4}, new float[] {4, 0})).isCloseTo(0.6, within(1e-12));
    }

    @Test
    void aZeroVectorIsSimilarToNothing() {
        assertThat(Vectors.cosine(new float[] {0, 0}, new float[] {1, 1})).isZero();
        assertThat(Vectors.cosine(new float[] {1, 1}, new float[] {0, 0})).isZero();
        assertThat(Vectors.cosine(new float[] {0, 0}, new float[] {0, 0})).isZero();
    }
}
