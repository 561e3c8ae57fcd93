package dev.diffrag.summarize;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.NormalInitializer;
import ai.djl.util.PairList;
import dev.diffrag.model.DiffTransformer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Sentence salience over one document: each sentence enters as its sentence embedding, projected to the encoder
 * width and added to a learned embedding of its position in the document (news puts what matters first); a
 * bidirectional Diff Transformer (or vanilla) encoder lets every sentence attend to all others; a linear head gives
 * each sentence a salience logit.
 *
 * <pre>
 * sentences (B, T, E) ──in_proj──▶ (B, T, D) + position[0..T) ──encoder──▶ (B, T, D) ──score──▶ logits (B, T)
 * </pre>
 *
 * <p>Forward input: [sentenceEmbeddings (B, T, E), mask (B, T) with 1 = real sentence]. Output: [logits (B, T)];
 * logits at padding positions are meaningless. E is {@link SalienceConfig#inputDim()} (the
 * sentence embedding, with {@link SentenceFeatures} when configured). Initialise with {@code initialize(manager,
 * FLOAT32, new Shape(1, 1, E))}.
 */
public final class SentenceSalienceModel extends AbstractBlock {

    private static final byte VERSION = 1;
    private static final float WEIGHT_STD = 0.02f;

    private final SalienceConfig config;
    private final Parameter inProj;   // (D, E)
    private final Parameter position; // (maxSentences, D)
    private final Parameter score;    // (1, D)
    private final DiffTransformer encoder;

    public SentenceSalienceModel(SalienceConfig config) {
        super(VERSION);
        this.config = config;
        int width = config.encoder().dModel();
        this.inProj = addParameter(weight("in_proj.weight", new Shape(width, config.inputDim())));
        this.position = addParameter(weight("position.weight", new Shape(config.maxSentences(), width)));
        this.score = addParameter(weight("score.weight", new Shape(1, width)));
        this.encoder = addChildBlock("encoder", new DiffTransformer(config.encoder()));
    }

    public SalienceConfig config() {
        return config;
    }

    /**
     * The trained parameters by name: this model's own and the encoder's with an {@code encoder.} prefix. The
     * encoder's token embedding is left out: it never sees a token.
     */
    public Map<String, Parameter> namedParameters() {
        Map<String, Parameter> named = new LinkedHashMap<>();
        named.put("in_proj.weight", inProj);
        named.put("position.weight", position);
        named.put("score.weight", score);
        encoder.namedParameters().forEach((name, parameter) -> {
            if (!name.equals("embed_tokens.weight")) {
                named.put("encoder." + name, parameter);
            }
        });
        return named;
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training,
            PairList<String, Object> params) {
        // Embeddings arrive in float32; a model loaded in a 16-bit type on a GPU computes in that type.
        NDArray sentences = inputs.get(0).toType(inProj.getArray().getDataType(), false); // (B, T, E)
        NDArray mask = inputs.size() > 1 ? inputs.get(1) : null; // (B, T)
        long length = sentences.getShape().get(1);
        if (length > config.maxSentences()) {
            throw new IllegalArgumentException(length + " sentences exceed the model's " + config.maxSentences());
        }
        NDArray x = Linear.linear(sentences, ps.getValue(inProj, sentences.getDevice(), training)).head(); // (B, T, D)
        NDArray positions = ps.getValue(position, sentences.getDevice(), training)
                .get(new NDIndex("0:{}", length)); // (T, D)
        // A slice lives on its array's manager, here the model's: each pass would leave one there until it closed.
        positions.attach(sentences.getManager());
        NDArray hidden = encoder.encodeEmbedded(ps, x.add(positions), mask, training, null); // (B, T, D)
        NDArray logits = Linear.linear(hidden, ps.getValue(score, sentences.getDevice(), training)).head(); // (B, T, 1)
        return new NDList(logits.squeeze(-1)); // (B, T)
    }

    /**
     * Salience probabilities (sigmoid of the logits) of each document's sentences, inference only. Sentences past
     * {@link SalienceConfig#maxSentences()} are not read and get no score (the arrays are only as long as what was read).
     */
    public List<double[]> salience(ParameterStore ps, List<EmbeddedDocument> embedded) {
        List<float[][]> documents = embedded.stream().map(config::inputs).toList();
        int length = documents.stream().mapToInt(d -> Math.min(d.length, config.maxSentences())).max().orElse(0);
        if (length == 0) {
            return documents.stream().map(d -> new double[0]).toList();
        }
        try (NDManager manager = inProj.getArray().getManager().newSubManager()) {
            NDList batch = batch(documents, length, manager);
            float[] logits = forward(ps, batch, false).head().toType(DataType.FLOAT32, false).toFloatArray();
            List<double[]> scores = new ArrayList<>(documents.size());
            for (int d = 0; d < documents.size(); d++) {
                double[] probabilities = new double[Math.min(documents.get(d).length, config.maxSentences())];
                for (int s = 0; s < probabilities.length; s++) {
                    probabilities[s] = 1 / (1 + Math.exp(-logits[d * length + s]));
                }
                scores.add(probabilities);
            }
            return scores;
        }
    }

    /** Pads documents' first {@code length} sentence inputs into [inputs (B, length, E), mask (B, length)]. */
    public NDList batch(List<float[][]> documents, int length, NDManager manager) {
        int width = config.inputDim();
        float[] values = new float[documents.size() * length * width];
        float[] mask = new float[documents.size() * length];
        for (int d = 0; d < documents.size(); d++) {
            float[][] sentences = documents.get(d);
            for (int s = 0; s < Math.min(sentences.length, length); s++) {
                if (sentences[s].length != width) {
                    throw new IllegalArgumentException("sentence inputs must have " + width + " dimensions, got "
                            + sentences[s].length);
                }
                System.arraycopy(sentences[s], 0, values, (d * length + s) * width, width);
                mask[d * length + s] = 1;
            }
        }
        return new NDList(manager.create(values, new Shape(documents.size(), length, width)),
                manager.create(mask, new Shape(documents.size(), length)));
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        encoder.initialize(manager, dataType, new Shape(1, 1));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {new Shape(inputShapes[0].get(0), inputShapes[0].get(1))};
    }

    private static Parameter weight(String name, Shape shape) {
        return Parameter.builder().setName(name).setType(Parameter.Type.WEIGHT).optShape(shape)
                .optInitializer(new NormalInitializer(WEIGHT_STD)).build();
    }
}
