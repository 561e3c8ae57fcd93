package dev.diffrag.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.Map;
import java.util.TreeMap;

/** An {@link AttentionProbe} that keeps each layer's map (detached, on its own manager) from the last forward pass. */
public final class AttentionMaps implements AttentionProbe, AutoCloseable {

    private final NDManager manager;
    private final Map<Integer, NDArray> maps = new TreeMap<>();

    public AttentionMaps(NDManager parent) {
        this.manager = parent.newSubManager();
    }

    @Override
    public void record(int layer, NDArray map) {
        NDArray kept = map.stopGradient();
        kept.attach(manager);
        NDArray previous = maps.put(layer, kept);
        if (previous != null) {
            previous.close();
        }
    }

    /** (B, heads, T, S) of the given 0-based layer. */
    public NDArray layer(int layer) {
        NDArray map = maps.get(layer);
        if (map == null) {
            throw new IllegalArgumentException("no attention map recorded for layer " + layer);
        }
        return map;
    }

    public int size() {
        return maps.size();
    }

    @Override
    public void close() {
        manager.close();
    }
}
