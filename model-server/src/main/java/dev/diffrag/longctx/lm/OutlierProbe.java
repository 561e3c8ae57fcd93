package dev.diffrag.longctx.lm;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import dev.diffrag.model.AttentionProbe;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Collects the absolute values of the attention logits (only the query–key pairs a causal mask lets through) and of
 * the residual stream after every block, over every layer and head of a batch-1 forward pass without padding: the
 * paper's Table 5 reports their top-1 and median.
 */
final class OutlierProbe implements AttentionProbe {

    private final List<float[]> logits = new ArrayList<>();
    private final List<float[]> hidden = new ArrayList<>();

    @Override
    public void record(int layer, NDArray map) {}

    @Override
    public void recordLogits(int layer, NDArray scores) {
        Shape shape = scores.getShape(); // (1, heads, T, S)
        int queries = Math.toIntExact(shape.get(2));
        int keys = Math.toIntExact(shape.get(3));
        // One head at a time, each copy freed before the next: at 8K tokens a layer's scores are ~2 GB.
        for (long head = 0; head < shape.get(1); head++) {
            try (NDManager perHead = scores.getManager().newSubManager()) {
                NDArray headScores = scores.get(new NDIndex(0, head)); // (T, S)
                headScores.attach(perHead);
                float[] all = headScores.abs().toFloatArray();
                // Query i sits at position S − T + i and sees keys 0 .. S − T + i: copy that prefix of each row.
                int offset = keys - queries;
                long count = (long) queries * (offset + 1) + (long) queries * (queries - 1) / 2;
                float[] visible = new float[Math.toIntExact(count)];
                int at = 0;
                for (int i = 0; i < queries; i++) {
                    System.arraycopy(all, i * keys, visible, at, offset + i + 1);
                    at += offset + i + 1;
                }
                logits.add(visible);
            }
        }
    }

    @Override
    public void recordHidden(int layer, NDArray states) {
        hidden.add(states.abs().toFloatArray());
    }

    /** {top-1, median} of the absolute attention logits seen so far. */
    Stats logitStats() {
        return Stats.of(logits);
    }

    /** {top-1, median} of the absolute hidden-state values seen so far. */
    Stats hiddenStats() {
        return Stats.of(hidden);
    }

    record Stats(double top1, double median) {

        /** Buckets of the first pass: the top 16 bits of a non-negative float, which order like the floats. */
        private static final int BUCKET_SHIFT = 15;

        static Stats of(List<float[]> parts) {
            long total = parts.stream().mapToLong(p -> p.length).sum();
            if (total == 0) {
                throw new IllegalStateException("nothing recorded");
            }
            double median = total % 2 == 1 ? kth(parts, total / 2)
                    : (kth(parts, total / 2 - 1) + kth(parts, total / 2)) / 2.0;
            return new Stats(kth(parts, total - 1), median);
        }

        /**
         * The k-th smallest value (from 0) of non-negative floats, without copying them all: an 8K-token example
         * records hundreds of millions of logits. Counts by bucket, then sorts only the bucket holding rank k.
         */
        static float kth(List<float[]> parts, long k) {
            long[] counts = new long[1 << (31 - BUCKET_SHIFT)];
            for (float[] part : parts) {
                for (float v : part) {
                    counts[bucket(v)]++;
                }
            }
            int bucket = 0;
            long below = 0;
            while (below + counts[bucket] <= k) {
                below += counts[bucket++];
            }
            float[] inBucket = new float[Math.toIntExact(counts[bucket])];
            int at = 0;
            for (float[] part : parts) {
                for (float v : part) {
                    if (bucket(v) == bucket) {
                        inBucket[at++] = v;
                    }
                }
            }
            Arrays.sort(inBucket);
            return inBucket[Math.toIntExact(k - below)];
        }

        private static int bucket(float nonNegative) {
            return Float.floatToIntBits(nonNegative) >>> BUCKET_SHIFT;
        }
    }
}
