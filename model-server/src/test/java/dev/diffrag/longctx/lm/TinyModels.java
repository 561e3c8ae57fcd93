package dev.diffrag.longctx.lm;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import dev.diffrag.model.AttentionKind;
import dev.diffrag.model.DiffTransformer;
import dev.diffrag.model.ModelConfig;
import java.util.Map;
import java.util.Random;

/** Small causal models without LM head and with large seeded weights, so greedy choices are clear-cut. */
final class TinyModels {

    /** Above [SEP] (102), so prompts can use it. */
    static final int VOCAB = 128;

    private TinyModels() {}

    static DiffTransformer model(NDManager manager, AttentionKind kind, int vocab, long seed) {
        DiffTransformer model = new DiffTransformer(config(kind, vocab));
        model.initialize(manager, DataType.FLOAT32, new Shape(1, 4));
        randomize(model.namedParameters(), seed);
        return model;
    }

    /** The same model with a pointer head, every parameter (the pointer matrices too) drawn from the seed. */
    static AnswerPointer pointer(NDManager manager, AttentionKind kind, int vocab, long seed) {
        AnswerPointer pointer = AnswerPointer.create(config(kind, vocab), manager);
        randomize(pointer.namedParameters(), seed);
        return pointer;
    }

    private static ModelConfig config(AttentionKind kind, int vocab) {
        return ModelConfig.of(kind, 32, 2, 8, true, vocab, 256, false);
    }

    private static void randomize(Map<String, Parameter> parameters, long seed) {
        Random random = new Random(seed);
        for (Parameter parameter : parameters.values()) {
            NDArray array = parameter.getArray();
            float[] values = new float[Math.toIntExact(array.size())];
            for (int i = 0; i < values.length; i++) {
                values[i] = (float) (parameter.getType() == Parameter.Type.GAMMA ? 1 : 0.3 * random.nextGaussian());
            }
            array.set(values);
        }
    }
}
