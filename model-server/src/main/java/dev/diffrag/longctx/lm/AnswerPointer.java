package dev.diffrag.longctx.lm;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.NormalInitializer;
import ai.djl.util.PairList;
import dev.diffrag.model.DiffTransformer;
import dev.diffrag.model.ModelConfig;
import dev.diffrag.model.Scalars;
import dev.diffrag.model.io.ModelFiles;
import dev.diffrag.model.io.SafeTensors;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A causal {@link DiffTransformer} (no LM head) that answers by pointing: at a question's last position its hidden
 * state q scores every context position i as a start and as an end of the answer, start(i) = (W_s·q)·h_i / √D and
 * end(i) = (W_e·q)·h_i / √D, and the answer is copied from the context. Retrieval is then what is learned; writing
 * a 7-digit number token by token through a 30K-word head is not (the {@link AnswerLm} formulation, which small
 * models trained on a CPU do not get through). The two (D, D) pointer matrices are the same for every attention kind,
 * so parameter counts stay equal.
 *
 * <p>Forward input: [tokenIds (B, T), paddingMask (B, T), queries (B, A) int, contextMask (B, T) 1 = may be pointed
 * at]; output: [logits (B, 2A, T)], the A start rows then the A end rows, non-context positions at
 * {@value #FORBIDDEN}. That is {@link dev.diffrag.model.train.TokenCrossEntropy}'s layout with positions for tokens.
 */
public final class AnswerPointer extends AbstractBlock {

    static final String START = "pointer_start.weight";
    static final String END = "pointer_end.weight";
    /** Added to positions that may not be pointed at; large but finite, so float32 softmax stays exact. */
    static final float FORBIDDEN = -1e4f;

    private final DiffTransformer model;
    private final Parameter start; // (D, D), applied as q·Wᵀ like nn.Linear
    private final Parameter end;

    public AnswerPointer(DiffTransformer model) {
        if (!model.config().causal() || model.config().lmHead()) {
            throw new IllegalArgumentException("needs a causal model without LM head, got " + model.config());
        }
        this.model = model;
        long width = model.config().dModel();
        this.start = addParameter(projection(START, width));
        this.end = addParameter(projection(END, width));
    }

    private static Parameter projection(String name, long width) {
        return Parameter.builder().setName(name).setType(Parameter.Type.WEIGHT).optShape(new Shape(width, width))
                .optInitializer(new NormalInitializer(0.02f)).build();
    }

    /** A fresh pointer over a fresh model, initialised in float32 on {@code manager}'s device. */
    public static AnswerPointer create(ModelConfig config, NDManager manager) {
        AnswerPointer pointer = new AnswerPointer(new DiffTransformer(config));
        pointer.model.initialize(manager, DataType.FLOAT32, new Shape(1, 1));
        pointer.start.initialize(manager, DataType.FLOAT32);
        pointer.end.initialize(manager, DataType.FLOAT32);
        return pointer;
    }

    /** Writes config.json (the transformer's {@link ModelConfig}) and model.safetensors with the pointer matrices. */
    public void save(Path directory, SafeTensors.Dtype floatStorage) throws IOException {
        ModelFiles.save(directory, model.config(), namedParameters(), floatStorage);
    }

    /** Loads a saved pointer strictly: a language-model checkpoint (no pointer matrices) is refused by name. */
    public static AnswerPointer load(Path directory, NDManager manager) throws IOException {
        return load(directory, ModelFiles.readConfig(directory, ModelConfig.class), manager);
    }

    /** Loads the saved weights into a pointer built from {@code config} (the saved one, or a variant of it). */
    public static AnswerPointer load(Path directory, ModelConfig config, NDManager manager) throws IOException {
        AnswerPointer pointer = create(config, manager);
        ModelFiles.loadWeights(directory, pointer.namedParameters());
        return pointer;
    }

    public DiffTransformer model() {
        return model;
    }

    /** The transformer's parameters and the two pointer matrices, by name. */
    public Map<String, Parameter> namedParameters() {
        Map<String, Parameter> all = new LinkedHashMap<>(model.namedParameters());
        all.put(START, start);
        all.put(END, end);
        return all;
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training,
                                     PairList<String, Object> params) {
        NDArray hidden = model.encode(ps, inputs.get(0), inputs.get(1), training, null); // (B, T, D)
        NDArray positions = inputs.get(2).toType(DataType.INT64, false);                 // (B, A)
        NDArray index = positions.expandDims(-1).repeat(2, hidden.getShape().get(2));   // (B, A, D)
        NDArray queries = hidden.gather(index, 1);                                       // (B, A, D)
        NDArray bias = inputs.get(3).toType(DataType.FLOAT32, false).sub(1).mul(-FORBIDDEN).expandDims(1); // (B,1,T)
        NDArray starts = scores(ps, start, queries, hidden, training).add(bias);         // (B, A, T)
        NDArray ends = scores(ps, end, queries, hidden, training).add(bias);             // (B, A, T)
        return new NDList(starts.concat(ends, 1));                                       // (B, 2A, T)
    }

    /**
     * Start and end scores of the context positions for one query, as inference uses them.
     *
     * @param query   (B, 1, D) hidden state of a question's last position
     * @param context (B, C, D) hidden states of the context positions
     * @return [start (B, 1, C), end (B, 1, C)]
     */
    public NDList point(ParameterStore ps, NDArray query, NDArray context) {
        return new NDList(scores(ps, start, query, context, false), scores(ps, end, query, context, false));
    }

    private static NDArray scores(ParameterStore ps, Parameter weight, NDArray queries, NDArray keys,
                                  boolean training) {
        NDArray w = ps.getValue(weight, queries.getDevice(), training);                  // (D, D)
        NDArray projected = queries.matMul(w.transpose());                               // (B, A, D)
        double scale = Math.sqrt(keys.getShape().get(2));
        return Scalars.div(projected.matMul(keys.transpose(0, 2, 1)), scale);             // (B, A, T)
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape ids = inputShapes[0];
        return new Shape[] {new Shape(ids.get(0), 2 * inputShapes[2].get(1), ids.get(1))};
    }
}
