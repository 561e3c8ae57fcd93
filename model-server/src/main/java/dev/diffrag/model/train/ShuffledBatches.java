package dev.diffrag.model.train;

import ai.djl.ndarray.NDManager;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * Batches from a fixed list of examples in a seeded shuffled order: each epoch is a fresh permutation drawn from
 * {@code seed} and the epoch number, and batch {@code step} holds positions {@code step·B .. step·B + B − 1} of the
 * concatenated epochs, so any batch can be rebuilt from its step alone (see {@link BatchSource}).
 *
 * @param <T> an example, e.g. a tokenised question with its context and answer span
 */
public final class ShuffledBatches<T> implements BatchSource {

    /** Turns the examples of one batch into model inputs and labels. */
    @FunctionalInterface
    public interface Collator<T> {
        Batch collate(List<T> examples, NDManager manager);
    }

    private final List<T> examples;
    private final int batchSize;
    private final long seed;
    private final Collator<T> collator;
    private long cachedEpoch = -1;
    private List<Integer> cachedOrder;

    /** Batches of the run's batch size in an order drawn from the run's seed. */
    public ShuffledBatches(List<T> examples, TrainingConfig config, Collator<T> collator) {
        this(examples, config.batchSize(), config.seed(), collator);
    }

    public ShuffledBatches(List<T> examples, int batchSize, long seed, Collator<T> collator) {
        if (examples.isEmpty() || batchSize < 1) {
            throw new IllegalArgumentException("need at least one example and a positive batch size");
        }
        this.examples = List.copyOf(examples);
        this.batchSize = batchSize;
        this.seed = seed;
        this.collator = collator;
    }

    @Override
    public Batch batch(long step, NDManager manager) {
        List<T> picked = new ArrayList<>(batchSize);
        for (long position = step * batchSize; position < (step + 1) * batchSize; position++) {
            picked.add(examples.get(order(position / examples.size()).get((int) (position % examples.size()))));
        }
        return collator.collate(picked, manager);
    }

    /** The permutation of epoch {@code epoch}; the latest one is kept since batches are mostly drawn in order. */
    private synchronized List<Integer> order(long epoch) {
        if (epoch != cachedEpoch) {
            List<Integer> order = new ArrayList<>(examples.size());
            for (int i = 0; i < examples.size(); i++) {
                order.add(i);
            }
            Collections.shuffle(order, new Random(seed * 1_000_003L + epoch));
            cachedOrder = order;
            cachedEpoch = epoch;
        }
        return cachedOrder;
    }
}
