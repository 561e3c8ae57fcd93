package dev.diffrag.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.junit.jupiter.api.Test;

class PairedBootstrapTest {

    @Test
    void aConstantShiftHasAnIntervalOfThatShiftAlone() {
        double[] b = new Random(1).doubles(50).toArray();
        double[] a = b.clone();
        for (int i = 0; i < a.length; i++) {
            a[i] += 2;
        }
        PairedBootstrap.Difference difference = PairedBootstrap.meanDifference(a, b, 7);
        assertThat(difference.mean()).isCloseTo(2, within(1e-12));
        assertThat(difference.low()).isCloseTo(2, within(1e-12));
        assertThat(difference.high()).isCloseTo(2, within(1e-12));
        assertThat(difference.excludesZero()).isTrue();
        assertThat(difference.items()).isEqualTo(50);
    }

    @Test
    void theIntervalMatchesTheNormalApproximationOfTheMeanDifference() {
        // differences drawn as N(0.5, 1): the mean's 95% interval is about 0.5 ± 1.96 / sqrt(n) around the sample mean
        Random random = new Random(3);
        int n = 400;
        double[] a = new double[n];
        double[] b = new double[n];
        double mean = 0;
        double square = 0;
        for (int i = 0; i < n; i++) {
            b[i] = random.nextDouble();
            a[i] = b[i] + 0.5 + random.nextGaussian();
            mean += (a[i] - b[i]) / n;
        }
        for (int i = 0; i < n; i++) {
            square += Math.pow(a[i] - b[i] - mean, 2) / (n - 1);
        }
        double halfWidth = 1.96 * Math.sqrt(square / n);
        PairedBootstrap.Difference difference = PairedBootstrap.meanDifference(a, b, 11);
        assertThat(difference.mean()).isCloseTo(mean, within(1e-12));
        assertThat(difference.low()).isCloseTo(mean - halfWidth, within(0.02));
        assertThat(difference.high()).isCloseTo(mean + halfWidth, within(0.02));
        assertThat(difference.excludesZero()).isTrue();
    }

    @Test
    void pairingRemovesWhatBothSystemsShare() {
        // item difficulty varies a lot, the systems differ by a little on every item: only the pairing sees that
        double[] b = new Random(5).doubles(30, 0, 100).toArray();
        double[] a = b.clone();
        for (int i = 0; i < a.length; i++) {
            a[i] += i % 2 == 0 ? 1 : 0.5;
        }
        PairedBootstrap.Difference difference = PairedBootstrap.meanDifference(a, b, 13);
        assertThat(difference.low()).isGreaterThan(0.5);
        assertThat(difference.high()).isLessThan(1);
    }

    @Test
    void unequalListsAreRefused() {
        assertThatThrownBy(() -> PairedBootstrap.meanDifference(new double[2], new double[3], 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("2 and 3");
    }

    @Test
    void anIntervalExcludesZeroOnlyWhenItLiesWhollyOnOneSide() {
        assertThat(new PairedBootstrap.Difference(1, 0.5, 2, 10).excludesZero()).isTrue();
        assertThat(new PairedBootstrap.Difference(-1, -2, -0.5, 10).excludesZero()).isTrue();
        assertThat(new PairedBootstrap.Difference(0.5, -0.1, 1, 10).excludesZero()).isFalse();
        assertThat(new PairedBootstrap.Difference(0.5, 0, 1, 10).excludesZero()).as("touching 0").isFalse();
        assertThat(new PairedBootstrap.Difference(-0.5, -1, 0, 10).excludesZero()).as("touching 0").isFalse();
    }
}
