package dev.diffrag.longctx.lm;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
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
        long queries = shape.get(2);
        long keys = shape.get(3);
        try (NDManager scratch = scores.getManager().newSubManager()) {
            // Query i sits at position S − T + i and sees keys 0 .. S − T + i.
            NDArray allowed = scratch.arange(keys).expandDims(0)
                    .lte(scratch.arange(queries).add(keys - queries).expandDims(1)); // (T, S) boolean
            logits.add(scores.booleanMask(allowed.broadcast(shape)).abs().toFloatArray());
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

        static Stats of(List<float[]> parts) {
            int total = parts.stream().mapToInt(p -> p.length).sum();
            if (total == 0) {
                throw new IllegalStateException("nothing recorded");
            }
            float[] all = new float[total];
            int at = 0;
            for (float[] part : parts) {
                System.arraycopy(part, 0, all, at, part.length);
                at += part.length;
            }
            Arrays.sort(all);
            double median = total % 2 == 1 ? all[total / 2] : (all[total / 2 - 1] + all[total / 2]) / 2.0;
            return new Stats(all[total - 1], median);
        }
    }
}
