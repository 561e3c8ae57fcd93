package dev.diffrag.longctx.lm;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import dev.diffrag.model.AttentionKind;
import dev.diffrag.model.DiffTransformer;
import dev.diffrag.model.ModelConfig;
import java.util.Random;

/** Small causal models without LM head and with large seeded weights, so greedy choices are clear-cut. */
final class TinyModels {

    /** Above [SEP] (102), so prompts can use it. */
    static final int VOCAB = 128;

    private TinyModels() {}

    static DiffTransformer model(NDManager manager, AttentionKind kind, int vocab, long seed) {
        DiffTransformer model = new DiffTransformer(ModelConfig.of(kind, 32, 2, 8, true, vocab, 256, false));
        model.initialize(manager, DataType.FLOAT32, new Shape(1, 4));
        Random random = new Random(seed);
        for (Parameter parameter : model.namedParameters().values()) {
            NDArray array = parameter.getArray();
            float[] values = new float[Math.toIntExact(array.size())];
            for (int i = 0; i < values.length; i++) {
                values[i] = (float) (parameter.getType() == Parameter.Type.GAMMA ? 1 : 0.3 * random.nextGaussian());
            }
            array.set(values);
        }
        return model;
    }
}
