package dev.diffrag.model;

/** Which attention a {@link DiffTransformer} uses; the meaning of {@link ModelConfig#heads()} depends on it. */
public enum AttentionKind {
    /** Differential attention of the paper (arXiv 2410.05258): A = softmax(Q1K1ᵀ) − λ·softmax(Q2K2ᵀ), per-head RMSNorm. */
    DIFF_V1,
    /** The authors' follow-up: 2h query heads over h shared KV heads, out = attn(even) − sigmoid(λ_t)·attn(odd). */
    DIFF_V2,
    /** Ordinary multi-head softmax attention: the baseline of every comparison. */
    VANILLA
}
