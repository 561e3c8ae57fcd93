package dev.diffrag.longctx.lm;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class OutlierProbeTest {

    @Test
    void countsOnlyCausallyVisibleLogitsAndTakesTopAndMedianOfAbsoluteValues() {
        try (NDManager manager = NDManager.newBaseManager()) {
            OutlierProbe probe = new OutlierProbe();
            // One head, 3 queries over 3 keys; the upper triangle (future keys) holds a huge value to be ignored.
            float[] logits = {
                -2f, 999f, 999f,
                1f, -5f, 999f,
                3f, 0.5f, -4f};
            probe.recordLogits(0, manager.create(logits, new Shape(1, 1, 3, 3)));
            // Decoding 2 new queries after 1 cached key: query 0 sees keys 0-1, query 1 sees all 3.
            probe.recordLogits(1, manager.create(new float[] {6f, -7f, 999f, 1f, 1f, 1f}, new Shape(1, 1, 2, 3)));
            OutlierProbe.Stats stats = probe.logitStats();
            // Visible |values|: 2, 1, 5, 3, 0.5, 4 and 6, 7, 1, 1, 1 → sorted 0.5 1 1 1 1 2 3 4 5 6 7.
            assertThat(stats.top1()).isEqualTo(7.0);
            assertThat(stats.median()).isEqualTo(2.0);

            probe.recordHidden(0, manager.create(new float[] {-8f, 1f, 2f, -3f}, new Shape(1, 2, 2)));
            assertThat(probe.hiddenStats().top1()).isEqualTo(8.0);
            assertThat(probe.hiddenStats().median()).isEqualTo(2.5);
        }
    }

    @Test
    void selectingByBucketsGivesEveryRankOfTheSortedValues() {
        Random random = new Random(3);
        // Parts of uneven length; wide magnitudes, exact zeros and repeats, and close values sharing a bucket.
        List<float[]> parts = List.of(new float[0], new float[517], new float[1], new float[2048]);
        for (float[] part : parts) {
            for (int i = 0; i < part.length; i++) {
                int kind = random.nextInt(4);
                part[i] = kind == 0 ? 0f : kind == 1 ? 1.0f + random.nextInt(3) * 1e-7f
                        : (float) Math.abs(random.nextGaussian() * Math.pow(10, random.nextInt(7) - 3));
            }
        }
        float[] sorted = new float[517 + 1 + 2048];
        int at = 0;
        for (float[] part : parts) {
            System.arraycopy(part, 0, sorted, at, part.length);
            at += part.length;
        }
        Arrays.sort(sorted);
        for (int k = 0; k < sorted.length; k += 37) {
            assertThat(OutlierProbe.Stats.kth(parts, k)).isEqualTo(sorted[k]);
        }
        OutlierProbe.Stats stats = OutlierProbe.Stats.of(parts);
        assertThat(stats.top1()).isEqualTo(sorted[sorted.length - 1]);
        assertThat(stats.median()).isEqualTo((sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2.0);
    }
}
