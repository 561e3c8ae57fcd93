package dev.diffrag.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Embedding;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The Diff Transformer (or its vanilla baseline): token embedding → L pre-norm blocks → final RMSNorm → optional
 * tied LM head. A DJL block built from NDArray operations on DJL parameters, so DJL autograd trains it.
 *
 * <p>Forward input: [tokenIds (B, T) integer, paddingMask (B, T) with 1 = real token (optional)]. Output: [logits
 * (B, T, vocab)] when {@link ModelConfig#lmHead()} is set, otherwise [hidden (B, T, dModel)]. Rotary positions
 * are 0 .. T−1; padding keys are masked out of every query's attention (outputs at padding positions are
 * meaningless). Token ids must live on the model's device. Initialise with
 * {@code initialize(manager, DataType.FLOAT32, new Shape(B, T))}.
 *
 * <p>Pass {@code training = true} whenever gradients will be computed: with {@code false} DIFF V1 reuses the
 * softmax buffer in place (inference needs no copy), which autograd would reject.
 *
 * <p>Parameters are direct parameters of this block, named as in the reference code (see
 * {@link #namedParameters()}).
 */
public final class DiffTransformer extends AbstractBlock {

    private static final byte VERSION = 1;

    private final ModelConfig config;
    private final Parameter embedTokens; // (vocab, dModel), also the LM head when tied
    private final List<TransformerBlock> layers;
    private final RmsNorm norm;

    public DiffTransformer(ModelConfig config) {
        super(VERSION);
        this.config = config;
        this.embedTokens = Params.embedding("embed_tokens.weight", config.vocabSize(), config.dModel());
        List<TransformerBlock> blocks = new ArrayList<>();
        for (int i = 0; i < config.layers(); i++) {
            blocks.add(new TransformerBlock(config, i));
        }
        this.layers = List.copyOf(blocks);
        this.norm = new RmsNorm("norm", config.dModel(), config.normEps());

        addParameter(embedTokens);
        for (TransformerBlock block : layers) {
            block.parameters().forEach(this::addParameter);
        }
        addParameter(norm.weight());
    }

    public ModelConfig config() {
        return config;
    }

    /** Every parameter by its reference-code name, in a stable order (embedding, layers 0..L−1, final norm). */
    public Map<String, Parameter> namedParameters() {
        return Collections.unmodifiableMap(new LinkedHashMap<>(parameters));
    }

    /** Total number of scalar parameters. */
    public long parameterCount() {
        return parameters.values().stream().mapToLong(p -> p.getShape().size()).sum();
    }

    /** A fresh KV cache for {@link #forwardStep}. */
    public KvCache newCache(NDManager manager) {
        return new KvCache(manager, config.layers());
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training,
                                     PairList<String, Object> params) {
        NDArray paddingMask = inputs.size() > 1 ? inputs.get(1) : null;
        NDArray hidden = encode(ps, inputs.get(0), paddingMask, training, null);
        return new NDList(config.lmHead() ? logits(ps, hidden, training) : hidden);
    }

    /**
     * Hidden states after the final norm.
     *
     * @param tokenIds    (B, T) integer token ids
     * @param paddingMask (B, T) 1 = real token, 0 = padding; null when there is no padding
     * @param probe       receives each layer's attention map, or null
     * @return (B, T, dModel)
     */
    public NDArray encode(ParameterStore ps, NDArray tokenIds, NDArray paddingMask, boolean training,
                          AttentionProbe probe) {
        checkInput(tokenIds.getShape(), paddingMask, 0);
        return encodeEmbedded(ps, embed(ps, tokenIds, training), paddingMask, training, probe);
    }

    /** The token embedding lookup: (B, T) ids → (B, T, dModel). */
    public NDArray embed(ParameterStore ps, NDArray tokenIds, boolean training) {
        NDArray table = Params.value(ps, embedTokens, tokenIds, training);
        return Embedding.embedding(tokenIds.toType(DataType.INT64, false), table, SparseFormat.DENSE).head();
    }

    /**
     * Hidden states after the final norm for inputs that are already vectors, e.g. token embeddings plus segment
     * embeddings, or projected features of another model (the embedding table is then unused).
     *
     * @param inputs      (B, T, dModel)
     * @param paddingMask (B, T) 1 = real token, 0 = padding; null when there is no padding
     * @return (B, T, dModel)
     */
    public NDArray encodeEmbedded(ParameterStore ps, NDArray inputs, NDArray paddingMask, boolean training,
                                  AttentionProbe probe) {
        Shape shape = inputs.getShape();
        if (shape.dimension() != 3 || shape.get(2) != config.dModel()) {
            throw new IllegalArgumentException("inputs must be (B, T, " + config.dModel() + "), got " + shape);
        }
        int length = checkInput(new Shape(shape.get(0), shape.get(1)), paddingMask, 0);
        NDManager manager = inputs.getManager();
        Attention.Context context = new Attention.Context(
                Rotary.forPositions(manager, 0, length, config.headDim(), config.ropeTheta()),
                AttentionBias.build(manager, length, 0, length, config.causal(), paddingMask),
                null, probe);
        return run(context, ps, inputs, training);
    }

    /**
     * Incremental causal decoding: runs t new tokens at positions cache.length() .. +t−1 against the cached keys
     * and values, appends theirs, and returns the same output as the full forward pass gives at those positions.
     *
     * @param tokenIds    (B, t) new tokens (the whole prompt on the first call, then usually t = 1)
     * @param paddingMask (B, t) 1 = real token, or null
     * @return (B, t, vocab) logits with an LM head, else (B, t, dModel) hidden states
     */
    public NDArray forwardStep(ParameterStore ps, NDArray tokenIds, NDArray paddingMask, KvCache cache) {
        if (!config.causal()) {
            throw new IllegalStateException("incremental decoding needs a causal model");
        }
        int offset = cache.length();
        int steps = checkInput(tokenIds.getShape(), paddingMask, offset);
        NDManager manager = tokenIds.getManager();
        NDArray hidden;
        try {
            NDArray keyMask = cache.extendMask(paddingMask, tokenIds.getShape().get(0), steps, manager); // (B, S) or null
            Attention.Context context = new Attention.Context(
                    Rotary.forPositions(manager, offset, steps, config.headDim(), config.ropeTheta()),
                    AttentionBias.build(manager, steps, offset, offset + steps, true, keyMask),
                    cache, null);
            hidden = run(context, ps, embed(ps, tokenIds, false), false);
        } catch (RuntimeException e) {
            cache.discardUnadvanced(); // else later steps fail on its mask, or attend to its keys
            throw e;
        }
        cache.advance(steps);
        return config.lmHead() ? logits(ps, hidden, false) : hidden;
    }

    /** Tied LM head: (B, T, dModel) → (B, T, vocab). */
    public NDArray logits(ParameterStore ps, NDArray hidden, boolean training) {
        return Linear.linear(hidden, Params.value(ps, embedTokens, hidden, training)).head();
    }

    /** The attention layer of 0-based layer i, for tests that check one attention against the reference. */
    Attention attention(int layer) {
        return layers.get(layer).attention();
    }

    TransformerBlock block(int layer) {
        return layers.get(layer);
    }

    private NDArray run(Attention.Context context, ParameterStore ps, NDArray embedded, boolean training) {
        NDArray x = embedded; // (B, T, dModel)
        for (int i = 0; i < layers.size(); i++) {
            x = layers.get(i).forward(ps, x, context, training);
            if (context.probe() != null) {
                context.probe().recordHidden(i, x);
            }
        }
        return norm.forward(ps, x, training); // (B, T, dModel)
    }

    private int checkInput(Shape shape, NDArray paddingMask, int offset) {
        if (shape.dimension() != 2) {
            throw new IllegalArgumentException("token ids must be (B, T), got " + shape);
        }
        if (paddingMask != null && !paddingMask.getShape().equals(shape)) {
            throw new IllegalArgumentException("padding mask " + paddingMask.getShape() + " must match token ids "
                    + shape);
        }
        int length = Math.toIntExact(shape.get(1));
        if (offset + length > config.maxLength()) {
            throw new IllegalArgumentException("sequence of " + (offset + length) + " positions exceeds maxLength "
                    + config.maxLength());
        }
        return length;
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape ids = inputShapes[0];
        return new Shape[] {new Shape(ids.get(0), ids.get(1), config.lmHead() ? config.vocabSize() : config.dModel())};
    }
}
