package dev.diffrag.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * Keys and values of the tokens decoded so far, per layer, for incremental causal decoding with
 * {@link DiffTransformer#forwardStep}. Keys are stored after the rotary embedding. The cache owns its arrays on a
 * sub-manager of the one given, so the per-step managers of the caller can be closed freely.
 */
public final class KvCache implements AutoCloseable {

    private final NDManager manager;
    private final NDArray[] keys;   // per layer (B, Hk, S, dk)
    private final NDArray[] values; // per layer (B, Hv, S, dv)
    private NDArray keyMask;        // (B, S) 1 = real token; null while every token has been real
    private int length;

    public KvCache(NDManager parent, int layers) {
        this.manager = parent.newSubManager();
        this.keys = new NDArray[layers];
        this.values = new NDArray[layers];
    }

    /** Number of positions already cached: the position of the next token. */
    public int length() {
        return length;
    }

    /**
     * Appends one layer's new keys (B, Hk, t, dk) and values (B, Hv, t, dv); returns all of them [K, V] as views on
     * the new keys' manager (see {@link #lend}).
     */
    NDList append(int layer, NDArray newKeys, NDArray newValues) {
        keys[layer] = extend(keys[layer], newKeys, 2);
        values[layer] = extend(values[layer], newValues, 2);
        return new NDList(lend(keys[layer], newKeys.getManager()), lend(values[layer], newKeys.getManager()));
    }

    /**
     * Extends the key padding mask by a step of t tokens and returns the mask over all S = length + t keys as a view
     * on {@code pass} (see {@link #lend}), or null when no token so far is padding.
     */
    NDArray extendMask(NDArray stepMask, long batch, int steps, NDManager pass) {
        if (stepMask == null && keyMask == null) {
            return null;
        }
        try (NDManager scratch = manager.newSubManager()) { // the all-real fillers die here
            NDArray step = stepMask != null
                    ? stepMask.toType(DataType.INT32, false)
                    : scratch.ones(new Shape(batch, steps), DataType.INT32);
            NDArray past = keyMask != null || length == 0
                    ? keyMask
                    : scratch.ones(new Shape(batch, length), DataType.INT32);
            keyMask = extend(past, step, 1);
        }
        return lend(keyMask, pass);
    }

    /**
     * A view of a cached array on the step's manager. An op's result lands on its operand's manager, so what the step
     * derives from the cache (transposed keys, the mask's float bias) then dies with the step instead of piling up on
     * the cache until it closes; there the transposed keys, views of keys the next step replaces, would keep every
     * superseded key tensor alive.
     */
    private static NDArray lend(NDArray cached, NDManager pass) {
        NDArray view = cached.reshape(cached.getShape());
        view.attach(pass);
        return view;
    }

    /** Called once per step after every layer appended: the new tokens become past positions. */
    void advance(int steps) {
        length += steps;
    }

    /**
     * Drops what a step that failed part-way added (the key mask, the keys and values of the layers it ran), so the
     * cache holds its {@link #length()} positions again and the next step sees no trace of the failed one.
     */
    void discardUnadvanced() {
        for (int layer = 0; layer < keys.length; layer++) {
            keys[layer] = truncate(keys[layer], 2);
            values[layer] = truncate(values[layer], 2);
        }
        keyMask = truncate(keyMask, 1);
    }

    /** The first {@link #length} positions along {@code axis}; null when there are none. */
    private NDArray truncate(NDArray all, int axis) {
        if (all == null || all.getShape().get(axis) == length) {
            return all;
        }
        NDArray kept = null;
        if (length > 0) {
            kept = all.get(new NDIndex(axis == 1 ? ":, :{}" : ":, :, :{}", length)).duplicate();
            kept.attach(manager);
        }
        all.close();
        return kept;
    }

    private NDArray extend(NDArray past, NDArray step, int axis) {
        NDArray all = past == null ? step.duplicate() : past.concat(step, axis);
        all.attach(manager);
        if (past != null) {
            past.close();
        }
        return all;
    }

    @Override
    public void close() {
        manager.close();
    }
}
