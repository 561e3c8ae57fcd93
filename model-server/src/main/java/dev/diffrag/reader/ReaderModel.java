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
    private final DiffTransformer encoder;
    private final Parameter inputProjection; // (D, 384), frozen-feature inputs only
    private final Parameter segmentEmbedding; // (SEGMENTS, D)
    private final Parameter spanHead; // (2, D): start and end scores
    private final List<Map<String, Parameter>> tunedLayers; // the pretrained encoder's top layers, by BertLayer name

    /**
     * Learning-rate factor of the tuned pretrained layers: the reader's own layers train from zero at 1e-3, while
     * fine-tuning BERT-family weights wants about 5e-5 (Devlin et al. 2019), or the pretrained features are lost.
     */
    static final double PRETRAINED_LR_SCALE = 0.05;
    private static final String TUNED = "pretrained.top.";

    public ReaderModel(ReaderConfig config) {
        super(VERSION);
        this.config = config;
        int width = config.encoder().dModel();
        this.encoder = addChildBlock("encoder", new DiffTransformer(config.encoder()));
        this.inputProjection = config.input().frozen()
                ? addParameter(weight("input_proj.weight", new Shape(width, FrozenTokenFeatures.DIM)))
                : null;
        this.segmentEmbedding = addParameter(weight("segment_embed.weight", new Shape(ReaderConfig.SEGMENTS, width)));
        this.spanHead = addParameter(weight("span_head.weight", new Shape(2, width)));
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
        named.put(spanHead.getName(), spanHead);
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
        NDArray input = tunedLayers.isEmpty() ? inputs.get(0) : tunedFeatures(ps, inputs, training); // (B, T, 384)
        NDArray segments = inputs.get(1);
        NDArray paddingMask = inputs.get(2);
        NDArray x = inputProjection != null
                ? Linear.linear(input, ps.getValue(inputProjection, input.getDevice(), training)).head() // (B, T, D)
                : encoder.embed(ps, input, training); // (B, T, D)
        NDArray segmentTable = ps.getValue(segmentEmbedding, input.getDevice(), training);
        x = x.add(Embedding.embedding(segments.toType(DataType.INT64, false), segmentTable, SparseFormat.DENSE)
                .head());
        NDArray hidden = encoder.encodeEmbedded(ps, x, paddingMask, training, null); // (B, T, D)
        NDArray logits = Linear.linear(hidden, ps.getValue(spanHead, input.getDevice(), training)).head(); // (B,T,2)
        return new NDList(logits.get(":, :, 0"), logits.get(":, :, 1"));
    }

    /**
     * The tuned layers over every window of the batch, then each reader position's row: windows (W, Lw, 384) →
     * (B, T, 384), zero at the reader's own [CLS] and [SEP].
     */
    NDArray tunedFeatures(ParameterStore ps, NDList inputs, boolean training) {
        NDArray states = inputs.get(0); // (W, Lw, 384)
        NDArray windowMask = inputs.get(3);
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
