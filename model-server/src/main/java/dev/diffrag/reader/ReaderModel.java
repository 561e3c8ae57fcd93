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
import dev.diffrag.model.DiffTransformer;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An extractive reader: a bidirectional Diff Transformer over [CLS] question [SEP] passage [SEP] passage … that scores
 * every position as the start and as the end of the answer.
 *
 * <pre>
 * input (B, T, 384) frozen features ──input_proj──┐   (MiniLM or BGE-small)
 *   or  (B, T) token ids ──encoder.embed_tokens───┤
 * segments (B, T) ──segment_embed─────────────────+──> x (B, T, D)   (question, passage, boundary, matched passage)
 * x ──encoder (L Diff blocks, final RMSNorm)──> h (B, T, D) ──span_head──> logits (B, T, 2) → start (B, T), end (B, T)
 * </pre>
 *
 * Which positions may start or end an answer (the [CLS] no-answer slot and passage tokens) is the decoder's and the
 * loss's business, not the model's: see {@link SpanDecoder} and {@link SpanLoss}.
 *
 * <p>Forward inputs: [input, segments (B, T) int, paddingMask (B, T) 1 = real]; outputs: [start (B, T), end (B, T)].
 */
public final class ReaderModel extends AbstractBlock {

    private static final byte VERSION = 1;
    private static final float WEIGHT_STD = 0.02f;

    private final ReaderConfig config;
    private final DiffTransformer encoder;
    private final Parameter inputProjection; // (D, 384), frozen-feature inputs only
    private final Parameter segmentEmbedding; // (SEGMENTS, D)
    private final Parameter spanHead; // (2, D): start and end scores

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
        NDArray input = inputs.get(0);
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

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape segments = inputShapes[1];
        return new Shape[] {segments, segments};
    }
}
