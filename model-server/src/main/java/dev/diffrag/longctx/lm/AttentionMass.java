package dev.diffrag.longctx.lm;

import java.util.List;

/**
 * The paper's Table 3 measure for one query position: the attention mass on the answer span and on the rest of the
 * context (the noise), each summed over its keys and averaged over heads and layers. The maps are the effective ones
 * ({@link dev.diffrag.model.AttentionProbe}): for Diff models the differential map, whose entries may be negative.
 *
 * @param answer mean mass on keys {@code [spanStart, spanEnd)}
 * @param noise mean mass on the other keys of the context {@code [0, contextLength)}; the question and separators
 *     after the context count for neither
 * @param noiseShareOfMagnitude mean over heads of the noise keys' share of the row's absolute mass,
 *     Σ_noise |a| / Σ_all |a|: the same as {@code noise} for a softmax row, but comparable for a differential row,
 *     whose signed entries cancel in {@code noise} and which sums to 1 − λ, not 1
 */
public record AttentionMass(double answer, double noise, double noiseShareOfMagnitude) {

    /**
     * @param rows one array per layer, (heads, S): each head's attention row at the query position
     */
    public static AttentionMass of(List<float[][]> rows, int spanStart, int spanEnd, int contextLength) {
        if (rows.isEmpty() || spanStart < 0 || spanStart >= spanEnd || spanEnd > contextLength) {
            throw new IllegalArgumentException("need rows and a span inside the context, got [" + spanStart + ", "
                    + spanEnd + ") of " + contextLength);
        }
        double answer = 0;
        double noise = 0;
        double noiseShare = 0;
        int heads = 0;
        for (float[][] layer : rows) {
            for (float[] row : layer) {
                if (row.length < contextLength) {
                    throw new IllegalArgumentException("a row of " + row.length + " keys is shorter than the context");
                }
                double noiseMagnitude = 0;
                for (int key = 0; key < contextLength; key++) {
                    if (key >= spanStart && key < spanEnd) {
                        answer += row[key];
                    } else {
                        noise += row[key];
                        noiseMagnitude += Math.abs(row[key]);
                    }
                }
                double magnitude = 0;
                for (float value : row) {
                    magnitude += Math.abs(value);
                }
                noiseShare += magnitude == 0 ? 0 : noiseMagnitude / magnitude;
                heads++;
            }
        }
        return new AttentionMass(answer / heads, noise / heads, noiseShare / heads);
    }
}
