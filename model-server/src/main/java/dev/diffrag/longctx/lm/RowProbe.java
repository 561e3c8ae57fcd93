package dev.diffrag.longctx.lm;

import ai.djl.ndarray.NDArray;
import dev.diffrag.model.AttentionProbe;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Keeps one query position's attention row of every layer and head from a batch-1 forward pass, as plain arrays, so
 * that the (heads, T, S) maps themselves can be freed at once.
 */
final class RowProbe implements AttentionProbe {

    private final int position;
    private final List<float[][]> rows = new ArrayList<>();

    RowProbe(int position) {
        this.position = position;
    }

    @Override
    public void record(int layer, NDArray map) {
        if (layer != rows.size()) {
            throw new IllegalStateException("layers must arrive in order, got " + layer + " after " + rows.size());
        }
        NDArray row = map.get("0, :, {}, :", position); // (heads, S)
        int heads = (int) row.getShape().get(0);
        int keys = (int) row.getShape().get(1);
        float[] flat = row.toFloatArray();
        float[][] perHead = new float[heads][];
        for (int h = 0; h < heads; h++) {
            perHead[h] = Arrays.copyOfRange(flat, h * keys, (h + 1) * keys);
        }
        rows.add(perHead);
    }

    /** One (heads, S) array per layer. */
    List<float[][]> rows() {
        return rows;
    }
}
