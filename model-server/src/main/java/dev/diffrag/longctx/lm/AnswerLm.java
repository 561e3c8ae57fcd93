package dev.diffrag.longctx.lm;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import dev.diffrag.model.DiffTransformer;

/**
 * A causal {@link DiffTransformer} (configured without LM head) whose tied LM head is applied only at the positions
 * that predict answer tokens: with a 30K vocabulary, logits at every position would cost more than the whole model.
 *
 * <p>Forward input: [tokenIds (B, T), paddingMask (B, T), positions (B, A) int]; output: [logits (B, A, vocab)], the
 * prediction made at each listed position (padding slots may repeat any position; their targets are ignored). The
 * block owns no parameters of its own: train it with the wrapped model's {@code namedParameters()}.
 */
public final class AnswerLm extends AbstractBlock {

    private final DiffTransformer model;

    public AnswerLm(DiffTransformer model) {
        if (!model.config().causal() || model.config().lmHead()) {
            throw new IllegalArgumentException("needs a causal model without LM head, got " + model.config());
        }
        this.model = model;
    }

    public DiffTransformer model() {
        return model;
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training,
                                     PairList<String, Object> params) {
        NDArray hidden = model.encode(ps, inputs.get(0), inputs.get(1), training, null); // (B, T, D)
        NDArray positions = inputs.get(2).toType(DataType.INT64, false);                 // (B, A)
        long width = hidden.getShape().get(2);
        NDArray index = positions.expandDims(-1).repeat(2, width);                       // (B, A, D)
        NDArray picked = hidden.gather(index, 1);                                        // (B, A, D)
        return new NDList(model.logits(ps, picked, training));                           // (B, A, V)
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape positions = inputShapes[2];
        return new Shape[] {new Shape(positions.get(0), positions.get(1), model.config().vocabSize())};
    }
}
