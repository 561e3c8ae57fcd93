package dev.diffrag.reader;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** A threshold given in place of the calibrated one is a probability: NaN or one outside [0, 1] is refused. */
class ReaderThresholdTest {

    @TempDir
    Path directory;

    @ParameterizedTest
    @ValueSource(doubles = {Double.NaN, -0.1, 1.5, Double.POSITIVE_INFINITY})
    void shippedRefusesAThresholdThatIsNoProbability(double threshold) {
        assertThatThrownBy(() -> DiffReaderAnswerer.shipped(DiffReaderAnswerer.DEFAULT, threshold))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("threshold must lie in [0, 1], got " + threshold);
    }

    @ParameterizedTest
    @ValueSource(doubles = {Double.NaN, -0.1, 1.5})
    void loadRefusesAThresholdThatIsNoProbability(double threshold) {
        assertThatThrownBy(() -> DiffReaderAnswerer.load(directory, threshold))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("threshold must lie in [0, 1], got " + threshold);
    }
}
