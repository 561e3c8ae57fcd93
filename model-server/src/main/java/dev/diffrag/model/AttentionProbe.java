package dev.diffrag.model;

import ai.djl.ndarray.NDArray;

/**
 * Receives every layer's effective attention map during a forward pass, for analysis (attention to the answer
 * span vs noise, long-context experiments). The map is (B, heads, T, S) float32 with rows over the S keys:
 * softmax probabilities for VANILLA; the differential map softmax(Q1K1ᵀ) − λ·softmax(Q2K2ᵀ) for DIFF_V1;
 * P_even − sigmoid(λ_t)·P_odd for DIFF_V2 (both halves share one V, so this map times V is its output).
 * Maps belong to the forward pass's manager: copy or attach what you keep (see {@link AttentionMaps}).
 */
@FunctionalInterface
public interface AttentionProbe {

    /** @param layer 0-based layer index */
    void record(int layer, NDArray map);

    /**
     * The layer's attention logits q·kᵀ/√d before the mask and the softmax, (B, heads, T, S) with one row per
     * softmax: vanilla's H heads, V1's 2h and V2's 2h query heads (pair members adjacent). Positions a causal or
     * padding mask removes still hold their raw values. The array is overwritten right after this call (the mask is
     * added in place), so read what you need here. For outlier statistics (the paper's Table 5); ignored by default.
     */
    default void recordLogits(int layer, NDArray logits) {}

    /** The residual stream (B, T, dModel) after 0-based block {@code layer}, before the final norm; ignored by default. */
    default void recordHidden(int layer, NDArray hidden) {}
}
