package dev.diffrag.summarize;

import dev.diffrag.model.AttentionKind;
import dev.diffrag.model.ModelConfig;

/**
 * The sentence-salience model's shape, written as the checkpoint's config.json.
 *
 * @param encoder the bidirectional Diff Transformer (or vanilla) encoder over a document's sentences; its
 *     {@code maxLength} is the most sentences the model reads (later sentences are never selected)
 * @param embeddingDim width of the input sentence embeddings (384 for all-MiniLM-L6-v2)
 * @param mmrLambda salience weight of the MMR selection (1 − λ weighs redundancy)
 */
public record SalienceConfig(ModelConfig encoder, int embeddingDim, double mmrLambda) {

    public SalienceConfig {
        if (encoder.causal() || encoder.lmHead()) {
            throw new IllegalArgumentException("the salience encoder must be bidirectional and without LM head");
        }
        if (embeddingDim < 1 || mmrLambda < 0 || mmrLambda > 1) {
            throw new IllegalArgumentException("need embeddingDim >= 1 and mmrLambda in [0, 1]");
        }
    }

    /**
     * An encoder of {@code dModel} width and {@code layers} blocks over up to {@code maxSentences} sentences. Its token
     * vocabulary is a single unused row: inputs are projected sentence embeddings, not tokens.
     */
    public static SalienceConfig of(AttentionKind attention, int dModel, int layers, int headDim, int maxSentences,
            int embeddingDim, double mmrLambda) {
        return new SalienceConfig(ModelConfig.encoder(attention, dModel, layers, headDim, 1, maxSentences),
                embeddingDim, mmrLambda);
    }

    public int maxSentences() {
        return encoder.maxLength();
    }

    public SalienceConfig withAttention(AttentionKind attention) {
        return new SalienceConfig(encoder.withAttention(attention), embeddingDim, mmrLambda);
    }
}
