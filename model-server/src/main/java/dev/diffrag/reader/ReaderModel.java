package dev.diffrag.reader;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Embedding;
import ai.djl.nn.core.Linear;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.norm.Dropout;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.NormalInitializer;
import ai.djl.util.PairList;
import dev.diffrag.model.Autograd;
import dev.diffrag.model.DiffTransformer;
import dev.diffrag.reader.pretrained.BertLayer;
import dev.diffrag.reader.pretrained.OnnxWeights;
import dev.diffrag.reader.pretrained.PretrainedBert;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An extractive reader: a bidirectional Diff Transformer over [CLS] question [SEP] passage [SEP] passage … that scores
 * every position as the start and as the end of the answer.
 *
 * <pre>
 * input (B, T, 384) frozen features ──input_proj──┐   (MiniLM or BGE-small)
 *   or  windows (W, Lw, 384) ──tuned BERT layers, gathered to (B, T, 384)──input_proj──┤   (BGE-small, top tuned)
 *   or  (B, T) token ids ──encoder.embed_tokens───┤
 * segments (B, T) ──segment_embed─────────────────+──> x (B, T, D)   (question, passage, boundary, matched passage)
 * x ──encoder (L Diff blocks, final RMSNorm)──> h (B, T, D) ──span_head──> logits (B, T, 2) → start (B, T), end (B, T)
 * </pre>
 *
 * With the {@link ReaderConfig.SpanHead#BILINEAR bilinear} span head the last step reads the question first:
 * <pre>
 * h at [CLS] and the question's positions ──span_pool, softmax──> weights (B, T) ──Σ weights·h──> q (B, D)
 * q ──span_bilinear──> (B, 2, D): W_s q, W_e q;   logits = h · (W_s q, W_e q) (B, T, 2)
 * </pre>
 *
 * Which positions may start or end an answer (the [CLS] no-answer slot and passage tokens) is the decoder's and the
 * loss's business, not the model's: see {@link SpanDecoder} and {@link SpanLoss}.
 *
 * <p>Forward inputs: [input, segments (B, T) int, paddingMask (B, T) 1 = real], with tuned pretrained layers also
 * [windowMask (W, Lw), rows (B, T)] (see {@link ReaderFeaturizer#inputs}); outputs: [start (B, T), end (B, T)].
 */
public final class ReaderModel extends AbstractBlock {

    private static final byte VERSION = 1;
    private static final float WEIGHT_STD = 0.02f;

    private final ReaderConfig config;
    private final float trainingDropout;
    private final DiffTransformer encoder;
    private final Parameter inputProjection; // (D, 384), frozen-feature inputs only
    private final Parameter segmentEmbedding; // (SEGMENTS, D)
    private final Parameter spanHead; // (2, D): start and end scores; LINEAR span head only
    private final Parameter spanPool; // (1, D): question-position weights; BILINEAR only
    private final Parameter spanBilinear; // (2D, D): W_s over W_e; BILINEAR only
    private final List<Map<String, Parameter>> tunedLayers; // the pretrained encoder's top layers, by BertLayer name

    /**
     * Learning-rate factor of the tuned pretrained layers: the reader's own layers train from zero at 1e-3, while
     * fine-tuning BERT-family weights wants about 5e-5 (Devlin et al. 2019), or the pretrained features are lost.
     */
    static final double PRETRAINED_LR_SCALE = 0.05;
    private static final String TUNED = "pretrained.top.";

    /** A reader that trains without dropout. */
    public ReaderModel(ReaderConfig config) {
        this(config, 0);
    }

    /**
     * @param trainingDropout share of the encoder's input and output states zeroed in training forward passes
     *                        (inverted dropout, as after BERT's embeddings); a training choice, not saved with the
     *                        weights, and without effect at inference
     */
    public ReaderModel(ReaderConfig config, double trainingDropout) {
        super(VERSION);
        if (!(trainingDropout >= 0 && trainingDropout < 1)) {
            throw new IllegalArgumentException("dropout must be in [0, 1), got " + trainingDropout);
        }
        this.config = config;
        this.trainingDropout = (float) trainingDropout;
        int width = config.encoder().dModel();
        this.encoder = addChildBlock("encoder", new DiffTransformer(config.encoder()));
        this.inputProjection = config.input().frozen()
                ? addParameter(weight("input_proj.weight", new Shape(width, FrozenTokenFeatures.DIM)))
                : null;
        this.segmentEmbedding = addParameter(weight("segment_embed.weight", new Shape(ReaderConfig.SEGMENTS, width)));
        boolean bilinear = config.spanHead() == ReaderConfig.SpanHead.BILINEAR;
        this.spanHead = bilinear ? null : addParameter(weight("span_head.weight", new Shape(2, width)));
        this.spanPool = bilinear ? addParameter(weight("span_pool.weight", new Shape(1, width))) : null;
        this.spanBilinear = bilinear ? addParameter(weight("span_bilinear.weight", new Shape(2 * width, width)))
                : null;
        this.tunedLayers = new ArrayList<>();
        for (int k = 0; k < config.input().tunedLayers(); k++) {
            Map<String, Parameter> layer = new LinkedHashMap<>();
            for (String name : BertLayer.WEIGHTS) {
                layer.put(name, addParameter(pretrainedWeight(TUNED + k + "." + name,
                        BertLayer.shape(name, PretrainedBert.WIDTH, PretrainedBert.INTERMEDIATE))));
            }
            tunedLayers.add(layer);
        }
    }

    /** A tuned layer's weight; its values come from the pretrained encoder ({@link #initialiseTunedLayers}). */
    private static Parameter pretrainedWeight(String name, Shape shape) {
        return Parameter.builder().setName(name).setType(Parameter.Type.OTHER).optShape(shape)
                .optInitializer(new NormalInitializer(WEIGHT_STD)).build();
    }

    /** Copies the pretrained encoder's top layers into the tuned layers, the start of fine-tuning. */
    void initialiseTunedLayers(PretrainedBert pretrained) {
        Autograd.off(() -> {
            for (int k = 0; k < tunedLayers.size(); k++) {
                Map<String, OnnxWeights.Tensor> weights =
                        pretrained.layerWeights(pretrained.layers() - tunedLayers.size() + k);
                tunedLayers.get(k).forEach((name, parameter) -> parameter.getArray().set(
                        FloatBuffer.wrap(weights.get(name).values())));
            }
            return null;
        });
    }

    /** The learning-rate factor of a parameter of {@link #namedParameters()}. */
    static double learningRateScale(String name) {
        return name.startsWith(TUNED) ? PRETRAINED_LR_SCALE : 1;
    }

    private static Parameter weight(String name, Shape shape) {
        return Parameter.builder().setName(name).setType(Parameter.Type.WEIGHT).optShape(shape)
                .optInitializer(new NormalInitializer(WEIGHT_STD)).build();
    }

    public ReaderConfig config() {
        return config;
    }

    /**
     * Every trained parameter by name: the reader's own and the encoder's under {@code encoder.}; with a frozen-feature
     * input the encoder's embedding table is not used and not listed.
     */
    public Map<String, Parameter> namedParameters() {
        Map<String, Parameter> named = new LinkedHashMap<>();
        if (inputProjection != null) {
            named.put(inputProjection.getName(), inputProjection);
        }
        named.put(segmentEmbedding.getName(), segmentEmbedding);
        encoder.namedParameters().forEach((name, parameter) -> {
            if (config.input() == ReaderConfig.Input.TOKEN_EMBEDDINGS || !name.equals("embed_tokens.weight")) {
                named.put("encoder." + name, parameter);
            }
        });
        for (Parameter head : new Parameter[] {spanHead, spanPool, spanBilinear}) {
            if (head != null) {
                named.put(head.getName(), head);
            }
        }
        tunedLayers.forEach(layer -> layer.values().forEach(p -> named.put(p.getName(), p)));
        return named;
    }

    public long parameterCount() {
        return namedParameters().values().stream().mapToLong(p -> p.getShape().size()).sum();
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        encoder.initialize(manager, dataType, new Shape(1, 1));
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training,
            PairList<String, Object> params) {
        NDArray hidden = hidden(ps, inputs, training); // (B, T, D)
        NDArray logits = spanHead != null
                ? Linear.linear(hidden, ps.getValue(spanHead, hidden.getDevice(), training)).head() // (B, T, 2)
                : bilinearLogits(ps, hidden, inputs.get(1), inputs.get(2), training);
        return new NDList(logits.get(":, :, 0"), logits.get(":, :, 1"));
    }

    /** The encoder's output h (B, T, D) for the forward inputs. */
    NDArray hidden(ParameterStore ps, NDList inputs, boolean training) {
        NDArray input = tunedLayers.isEmpty() ? inFloatType(inputs.get(0)) : tunedFeatures(ps, inputs, training); // (B, T, 384)
        NDArray segments = inputs.get(1);
        NDArray paddingMask = inputs.get(2);
        NDArray x = inputProjection != null
                ? Linear.linear(input, ps.getValue(inputProjection, input.getDevice(), training)).head() // (B, T, D)
                : encoder.embed(ps, input, training); // (B, T, D)
        NDArray segmentTable = ps.getValue(segmentEmbedding, input.getDevice(), training);
        x = x.add(Embedding.embedding(segments.toType(DataType.INT64, false), segmentTable, SparseFormat.DENSE)
                .head());
        return dropout(encoder.encodeEmbedded(ps, dropout(x, training), paddingMask, training, null), training);
    }

    /**
     * Frozen features and masks arrive in float32; a reader loaded in a 16-bit type on a GPU computes in that type.
     * Token ids are left as they are.
     */
    private NDArray inFloatType(NDArray x) {
        DataType weights = segmentEmbedding.getArray().getDataType();
        return x.getDataType().isFloating() ? x.toType(weights, false) : x;
    }

    /** Dropout in training forward passes; the identity at inference and when the rate is 0. */
    private NDArray dropout(NDArray x, boolean training) {
        return training && trainingDropout > 0 ? Dropout.dropout(x, trainingDropout, true).head() : x;
    }

    /** Start and end logits (B, T, 2) bilinear in each position's state and the question vector. */
    private NDArray bilinearLogits(ParameterStore ps, NDArray hidden, NDArray segments, NDArray paddingMask,
            boolean training) {
        long batch = hidden.getShape().get(0);
        long length = hidden.getShape().get(1);
        // [CLS] (always present, so no row is empty) and the question's tokens; padding also has segment 0.
        NDArray question = segments.eq(ReaderConfig.QUESTION).toType(DataType.FLOAT32, false).mul(paddingMask);
        NDArray first = hidden.getManager().arange(length).eq(0).toType(DataType.FLOAT32, false).reshape(1, length);
        NDArray pooled = question.maximum(first); // (B, T)
        NDArray scores = Linear.linear(hidden, ps.getValue(spanPool, hidden.getDevice(), training)).head()
                .reshape(batch, length); // (B, T)
        NDArray weights = scores.add(pooled.sub(1).mul(1e9f)).softmax(1); // (B, T), zero off the question
        NDArray q = weights.expandDims(1).matMul(hidden); // (B, 1, D)
        NDArray both = Linear.linear(q, ps.getValue(spanBilinear, hidden.getDevice(), training)).head()
                .reshape(batch, 2, -1); // (B, 2, D): W_s q, W_e q
        return hidden.matMul(both.transpose(0, 2, 1)); // (B, T, 2)
    }

    /**
     * The tuned layers over every window of the batch, then each reader position's row: windows (W, Lw, 384) →
     * (B, T, 384), zero at the reader's own [CLS] and [SEP].
     */
    NDArray tunedFeatures(ParameterStore ps, NDList inputs, boolean training) {
        NDArray states = inFloatType(inputs.get(0)); // (W, Lw, 384)
        NDArray windowMask = inFloatType(inputs.get(3));
        for (Map<String, Parameter> layer : tunedLayers) {
            states = BertLayer.forward(states, windowMask, PretrainedBert.HEADS,
                    name -> ps.getValue(layer.get(name), windowMask.getDevice(), training));
        }
        NDArray table = states.reshape(-1, PretrainedBert.WIDTH)
                .concat(states.getManager().zeros(new Shape(1, PretrainedBert.WIDTH), states.getDataType()), 0);
        return Embedding.embedding(inputs.get(4).toType(DataType.INT64, false), table, SparseFormat.DENSE).head();
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape segments = inputShapes[1];
        return new Shape[] {segments, segments};
    }
}
