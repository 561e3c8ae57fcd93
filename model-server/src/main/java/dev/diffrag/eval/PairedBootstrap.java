package dev.diffrag.eval;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * How sure a difference between two systems scored on the same items is: the paired bootstrap (Efron & Tibshirani
 * 1993; for NLP evaluation, Koehn 2004 and Berg-Kirkpatrick et al. 2012). Items are resampled with replacement, both
 * systems' scores moving together, and the 2.5th and 97.5th percentiles of the resampled mean differences bound a 95%
 * interval.
 *
 * <p>Why: the reports compare systems on 75 articles or 120 questions, where differences of a point or two are within
 * noise; an interval says so in the report instead of in prose.
 */
public final class PairedBootstrap {

    /** Resamples per interval: enough for stable 2.5% tails. */
    public static final int RESAMPLES = 10_000;

    /**
     * The mean of {@code a − b} over the items and its 95% percentile interval.
     *
     * @param items how many items the means are over
     */
    public record Difference(double mean, double low, double high, int items) {
        /** Whether the interval excludes 0: the sign of the difference holds at 95%. */
        public boolean excludesZero() {
            return low > 0 || high < 0;
        }
    }

    private PairedBootstrap() {}

    /** a[i] and b[i] are the two systems' scores of item i; {@code seed} makes the interval repeatable. */
    public static Difference meanDifference(double[] a, double[] b, long seed) {
        if (a.length != b.length || a.length == 0) {
            throw new IllegalArgumentException("need two equally long, non-empty score lists, got " + a.length
                    + " and " + b.length);
        }
        int n = a.length;
        double[] difference = new double[n];
        double mean = 0;
        for (int i = 0; i < n; i++) {
            difference[i] = a[i] - b[i];
            mean += difference[i] / n;
        }
        SplittableRandom random = new SplittableRandom(seed);
        double[] resampled = new double[RESAMPLES];
        for (int r = 0; r < RESAMPLES; r++) {
            double sum = 0;
            for (int i = 0; i < n; i++) {
                sum += difference[random.nextInt(n)];
            }
            resampled[r] = sum / n;
        }
        Arrays.sort(resampled);
        return new Difference(mean, resampled[(int) (0.025 * RESAMPLES)], resampled[(int) (0.975 * RESAMPLES) - 1], n);
    }
}
