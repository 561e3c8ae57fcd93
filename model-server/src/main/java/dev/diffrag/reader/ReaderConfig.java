package dev.diffrag.reader;

import dev.diffrag.model.AttentionKind;
import dev.diffrag.model.ModelConfig;

/**
 * Architecture of a {@link ReaderModel}, written as config.json beside its weights.
 *
 * @param encoder          the bidirectional Diff Transformer over question + passages (no LM head)
 * @param input            what feeds the encoder: frozen MiniLM token features or token embeddings learned from zero
 * @param maxQuestionTokens longer questions are cut to this many tokens
 * @param maxAnswerTokens  longest answer span, in tokens
 */
public record ReaderConfig(ModelConfig encoder, Input input, int maxQuestionTokens, int maxAnswerTokens) {

    public enum Input {
        /** all-MiniLM-L6-v2's last hidden state per token, projected to dModel. */
        MINILM_FEATURES,
        /** A (vocab, dModel) token embedding table trained from zero. */
        TOKEN_EMBEDDINGS
    }

    /** Segment ids added as a learned embedding to every position. */
    public static final int QUESTION = 0;
    public static final int PASSAGE = 1;
    public static final int BOUNDARY = 2;
    /** A passage token that also occurs in the question. */
    public static final int PASSAGE_MATCH = 3;
    public static final int SEGMENTS = 4;

    public ReaderConfig {
        if (encoder.causal() || encoder.lmHead()) {
            throw new IllegalArgumentException("a reader needs a bidirectional encoder without LM head");
        }
        if (maxQuestionTokens < 1 || maxAnswerTokens < 1 || maxQuestionTokens + 4 > encoder.maxLength()) {
            throw new IllegalArgumentException("bad token limits: question " + maxQuestionTokens + ", answer "
                    + maxAnswerTokens + ", sequence " + encoder.maxLength());
        }
    }

    /** A reader of the given attention kind; the MiniLM input needs no vocabulary in the encoder. */
    public static ReaderConfig of(AttentionKind attention, Input input, int dModel, int layers, int headDim,
            int maxLength) {
        int vocab = input == Input.TOKEN_EMBEDDINGS ? ReaderTokenizer.VOCAB_SIZE : 1;
        return new ReaderConfig(ModelConfig.encoder(attention, dModel, layers, headDim, vocab, maxLength), input, 64,
                30);
    }
}
