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
 * @param leadPrior weight of the position prior blended into salience before selection (see {@link SelectionRule})
 * @param sentenceFeatures whether each sentence embedding is followed by its {@link SentenceFeatures}
 */
public record SalienceConfig(ModelConfig encoder, int embeddingDim, double mmrLambda, double leadPrior,
        boolean sentenceFeatures) {

    public SalienceConfig {
        if (encoder.causal() || encoder.lmHead()) {
            throw new IllegalArgumentException("the salience encoder must be bidirectional and without LM head");
        }
        if (embeddingDim < 1) {
            throw new IllegalArgumentException("need embeddingDim >= 1");
        }
        new SelectionRule(mmrLambda, leadPrior); // validates both
    }

    /**
     * An encoder of {@code dModel} width and {@code layers} blocks over up to {@code maxSentences} sentences. Its token
     * vocabulary is a single unused row: inputs are projected sentence embeddings, not tokens.
     */
    public static SalienceConfig of(AttentionKind attention, int dModel, int layers, int headDim, int maxSentences,
            int embeddingDim, SelectionRule selection, boolean sentenceFeatures) {
        return new SalienceConfig(ModelConfig.encoder(attention, dModel, layers, headDim, 1, maxSentences),
                embeddingDim, selection.mmrLambda(), selection.leadPrior(), sentenceFeatures);
    }

    /** Width of one sentence's model input: its embedding and, when enabled, its features. */
    public int inputDim() {
        return embeddingDim + (sentenceFeatures ? SentenceFeatures.COUNT : 0);
    }

    /** The model inputs of a document (see {@link SentenceFeatures#of}). */
    public float[][] inputs(EmbeddedDocument document) {
        return SentenceFeatures.of(document, maxSentences(), sentenceFeatures);
    }

    public int maxSentences() {
        return encoder.maxLength();
    }

    public SelectionRule selection() {
        return new SelectionRule(mmrLambda, leadPrior);
    }

    public SalienceConfig withAttention(AttentionKind attention) {
        return new SalienceConfig(encoder.withAttention(attention), embeddingDim, mmrLambda, leadPrior,
                sentenceFeatures);
    }

    public SalienceConfig withSelection(SelectionRule selection) {
        return new SalienceConfig(encoder, embeddingDim, selection.mmrLambda(), selection.leadPrior(),
                sentenceFeatures);
    }
}
