package dev.diffrag.model.train;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.diffrag.model.AttentionKind;
import dev.diffrag.model.DiffTransformer;
import dev.diffrag.model.ModelConfig;
import java.util.Random;

/**
 * A small causal-LM task: a random sequence of {@link #LENGTH} symbols, a separator, then the same symbols again. Only
 * the copy is scored, so the loss starts at ln(10) ≈ 2.30 nats and falls only if attention learns to look back
 * {@link #LENGTH} + 1 positions.
 */
final class CopyTask implements BatchSource {

    static final int SEPARATOR = 1;
    static final int FIRST_SYMBOL = 2;
    static final int SYMBOLS = 10;
    static final int VOCAB = FIRST_SYMBOL + SYMBOLS;
    static final int LENGTH = 5;
    /** Input positions: the sequence, the separator and all but the last copied symbol. */
    static final int INPUT = 2 * LENGTH;

    private final int batchSize;
    private final long seed;

    CopyTask(int batchSize, long seed) {
        this.batchSize = batchSize;
        this.seed = seed;
    }

    /** A tiny causal LM for the task: width 32, 1 layer (a fixed look-back needs no more), head dim 8. */
    static ModelConfig config(AttentionKind kind) {
        return ModelConfig.causalLm(kind, 32, 1, 8, VOCAB, 16);
    }

    /** The model initialised on the CPU in FLOAT32 from the engine seeded with {@code seed}. */
    static DiffTransformer model(NDManager manager, AttentionKind kind, int seed) {
        ModelTrainer.seed(seed);
        DiffTransformer model = new DiffTransformer(config(kind));
        model.initialize(manager, DataType.FLOAT32, new Shape(1, INPUT));
        return model;
    }

    @Override
    public Batch batch(long step, NDManager manager) {
        Random random = new Random(seed * 1_000_003L + step);
        long[][] inputs = new long[batchSize][INPUT];
        long[][] labels = new long[batchSize][INPUT];
        for (int b = 0; b < batchSize; b++) {
            long[] sequence = new long[2 * LENGTH + 1];
            for (int i = 0; i < LENGTH; i++) {
                sequence[i] = FIRST_SYMBOL + random.nextInt(SYMBOLS);
                sequence[LENGTH + 1 + i] = sequence[i];
            }
            sequence[LENGTH] = SEPARATOR;
            for (int t = 0; t < INPUT; t++) {
                inputs[b][t] = sequence[t];
                // Position t predicts token t + 1; only the copy (positions LENGTH .. 2·LENGTH − 1) is scored.
                labels[b][t] = t >= LENGTH ? sequence[t + 1] : TokenCrossEntropy.IGNORE;
            }
        }
        return new Batch(new NDList(manager.create(inputs)), new NDList(manager.create(labels)));
    }
}
