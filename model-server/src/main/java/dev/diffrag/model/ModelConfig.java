package dev.diffrag.model;

/**
 * Architecture of a {@link DiffTransformer}. A record so that it reads and writes as JSON beside a checkpoint.
 *
 * <p>{@code heads} counts what each attention kind calls a head; with head dim d:
 * <ul>
 *   <li>{@link AttentionKind#VANILLA}: H = dModel / d heads, each with query, key and value of dim d.</li>
 *   <li>{@link AttentionKind#DIFF_V1}: h = dModel / (2d) differential heads, half the vanilla count; each has two
 *       query/key heads of dim d (the pair 2i, 2i+1) and one value head of dim 2d, so q, k, v, out projections
 *       have the vanilla shapes.</li>
 *   <li>{@link AttentionKind#DIFF_V2}: h = dModel / d output heads; 2h query heads and h key/value heads of dim d.
 *       Its q_proj is twice the vanilla one; {@link #ffnHidden()} shrinks its FFN to keep the parameter budget.</li>
 * </ul>
 *
 * @param dModel     width of the residual stream
 * @param layers     number of transformer blocks L
 * @param heads      heads as defined above
 * @param headDim    d, the query/key head dim (even, for rotary embeddings)
 * @param attention  attention kind
 * @param causal     true for a decoder (causal mask, KV cache), false for a bidirectional reader
 * @param vocabSize  token vocabulary size
 * @param maxLength  longest sequence the model accepts (positions 0 .. maxLength-1)
 * @param ropeTheta  rotary base, 10000 as in the reference code
 * @param normEps    epsilon of every RMSNorm, 1e-5 as in the reference code
 * @param lmHead     true to output logits through the tied embedding matrix, false to output hidden states
 */
public record ModelConfig(
        int dModel,
        int layers,
        int heads,
        int headDim,
        AttentionKind attention,
        boolean causal,
        int vocabSize,
        int maxLength,
        double ropeTheta,
        double normEps,
        boolean lmHead) {

    public static final double DEFAULT_ROPE_THETA = 10_000;
    public static final double DEFAULT_NORM_EPS = 1e-5;

    public ModelConfig {
        if (attention == null) {
            throw new IllegalArgumentException("attention kind is required");
        }
        require(dModel > 0 && layers > 0 && heads > 0 && vocabSize > 0 && maxLength > 0,
                "dModel, layers, heads, vocabSize and maxLength must be positive");
        require(headDim > 0 && headDim % 2 == 0, "headDim must be positive and even (rotary pairs), got " + headDim);
        require(dModel == heads * headDim * (attention == AttentionKind.DIFF_V1 ? 2 : 1),
                "for " + attention + " dModel must equal heads*headDim" + (attention == AttentionKind.DIFF_V1 ? "*2" : "")
                        + ", got dModel=" + dModel + " heads=" + heads + " headDim=" + headDim);
        require(ropeTheta > 0 && normEps > 0, "ropeTheta and normEps must be positive");
    }

    /** A config with the head count that gives every attention kind the same parameter budget at this width. */
    public static ModelConfig of(AttentionKind attention, int dModel, int layers, int headDim, boolean causal,
                                 int vocabSize, int maxLength, boolean lmHead) {
        require(headDim > 0, "headDim must be positive");
        int divisor = headDim * (attention == AttentionKind.DIFF_V1 ? 2 : 1);
        require(dModel % divisor == 0, "dModel " + dModel + " is not a multiple of " + divisor + " for " + attention);
        return new ModelConfig(dModel, layers, dModel / divisor, headDim, attention, causal, vocabSize, maxLength,
                DEFAULT_ROPE_THETA, DEFAULT_NORM_EPS, lmHead);
    }

    /** A causal language model with a tied LM head (logits out). */
    public static ModelConfig causalLm(AttentionKind attention, int dModel, int layers, int headDim, int vocabSize,
                                       int maxLength) {
        return of(attention, dModel, layers, headDim, true, vocabSize, maxLength, true);
    }

    /** A bidirectional encoder (reader) that outputs hidden states. */
    public static ModelConfig encoder(AttentionKind attention, int dModel, int layers, int headDim, int vocabSize,
                                      int maxLength) {
        return of(attention, dModel, layers, headDim, false, vocabSize, maxLength, false);
    }

    /** The same width, depth, head dim and mode with another attention kind, at the same parameter budget. */
    public ModelConfig withAttention(AttentionKind other) {
        return of(other, dModel, layers, headDim, causal, vocabSize, maxLength, lmHead)
                .withRope(ropeTheta).withNormEps(normEps);
    }

    public ModelConfig withCausal(boolean value) {
        return new ModelConfig(dModel, layers, heads, headDim, attention, value, vocabSize, maxLength, ropeTheta,
                normEps, lmHead);
    }

    public ModelConfig withRope(double theta) {
        return new ModelConfig(dModel, layers, heads, headDim, attention, causal, vocabSize, maxLength, theta,
                normEps, lmHead);
    }

    /**
     * The same model accepting positions up to {@code positions}. Rotary angles are computed per position, not read
     * from a table, so trained weights load unchanged; what a model does past its training length is what
     * evaluating there measures.
     */
    public ModelConfig withMaxLength(int positions) {
        return new ModelConfig(dModel, layers, heads, headDim, attention, causal, vocabSize, positions, ropeTheta,
                normEps, lmHead);
    }

    public ModelConfig withNormEps(double eps) {
        return new ModelConfig(dModel, layers, heads, headDim, attention, causal, vocabSize, maxLength, ropeTheta,
                eps, lmHead);
    }

    /**
     * SwiGLU hidden size: 8/3·dModel rounded to a multiple of 8. DIFF_V2's q_proj has dModel·h·d more weights and
     * its lambda_proj dModel·h; the FFN (3·dModel·hidden weights) gives back that many by shrinking its hidden size
     * by (h·d + h)/3, also rounded to a multiple of 8, so all three kinds have the same parameter count within
     * rounding.
     */
    public int ffnHidden() {
        int hidden = roundToEight(8.0 * dModel / 3.0);
        if (attention == AttentionKind.DIFF_V2) {
            hidden -= roundToEight((heads * (double) headDim + heads) / 3.0);
        }
        return Math.max(8, hidden);
    }

    private static int roundToEight(double value) {
        return (int) Math.round(value / 8.0) * 8;
    }

    /** λinit = 0.8 − 0.6·exp(−0.3·(l−1)) for layer l = 1..L (the reference code's depth = l − 1). */
    public static double lambdaInit(int layer) {
        require(layer >= 1, "layers are numbered from 1, got " + layer);
        return 0.8 - 0.6 * Math.exp(-0.3 * (layer - 1));
    }

    private static void require(boolean condition, String message) {
        if (!condition) {
            throw new IllegalArgumentException(message);
        }
    }
}
