package dev.diffrag.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;

/**
 * The additive float32 mask added to attention scores before the softmax: 0 where a query may look at a key,
 * a large negative number where it may not (a future key in causal mode, a padding key). Finite rather than −∞
 * so that gradients stay finite.
 */
final class AttentionBias {

    static final float MASKED = -1e9f;

    private AttentionBias() {}

    /**
     * @param offset  position of the first query (keys are positions 0 .. keyLength−1)
     * @param keyMask (B, S) with 1 for real tokens, or null when every key is real
     * @return (B or 1, 1, T, S), or null when nothing is masked
     */
    static NDArray build(NDManager manager, int queryLength, int offset, int keyLength, boolean causal,
                         NDArray keyMask) {
        NDArray bias = null;
        if (causal && !(queryLength == 1 && offset == keyLength - 1)) {
            NDArray queries = manager.arange(offset, offset + queryLength, 1, DataType.INT32)
                    .reshape(queryLength, 1);                                        // (T, 1)
            NDArray keys = manager.arange(0, keyLength, 1, DataType.INT32).reshape(1, keyLength); // (1, S)
            bias = keys.gt(queries).toType(DataType.FLOAT32, false).mul(MASKED)
                    .reshape(1, 1, queryLength, keyLength);                          // (1, 1, T, S)
        }
        if (keyMask != null) {
            long batch = keyMask.getShape().get(0);
            NDArray padding = keyMask.toType(DataType.FLOAT32, false).sub(1f).mul(-MASKED)
                    .reshape(batch, 1, 1, keyLength);                                // (B, 1, 1, S)
            bias = bias == null ? padding : bias.add(padding);                      // (B, 1, T, S)
        }
        return bias;
    }
}
