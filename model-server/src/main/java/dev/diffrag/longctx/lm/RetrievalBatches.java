package dev.diffrag.longctx.lm;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.diffrag.longctx.KvRetrieval;
import dev.diffrag.longctx.NeedleTask;
import dev.diffrag.model.train.Batch;
import dev.diffrag.model.train.BatchSource;
import dev.diffrag.model.train.TokenCrossEntropy;
import dev.diffrag.reader.ReaderTokenizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.SplittableRandom;

/**
 * Fresh training data for every step, drawn from the step number and the seed alone (so the three models see the
 * same batches, and a resumed run the batches it would have seen): examples of one kind and length per step, padded
 * on the right. Inputs [tokenIds (B, T), paddingMask (B, T), positions (B, A)], labels [targets (B, A)] with
 * {@link TokenCrossEntropy#IGNORE} in padding slots: the {@link AnswerLm} inputs and its answer-only loss.
 */
public final class RetrievalBatches implements BatchSource {

    private final NeedleTask needles;
    private final List<KvRetrieval.Example> kvRecords;
    private final ReaderTokenizer tokenizer;
    private final TrainingMix mix;
    private final long seed;

    public RetrievalBatches(NeedleTask needles, List<KvRetrieval.Example> kvRecords, ReaderTokenizer tokenizer,
                            TrainingMix mix, long seed) {
        if (mix.kvShare() > 0 && kvRecords.isEmpty()) {
            throw new IllegalArgumentException("the mix asks for kv steps but there are no kv records");
        }
        this.needles = needles;
        this.kvRecords = List.copyOf(kvRecords);
        this.tokenizer = tokenizer;
        this.mix = mix;
        this.seed = seed;
    }

    @Override
    public Batch batch(long step, NDManager manager) {
        return collate(prompts(step), manager);
    }

    /** The examples of update {@code step} (0-based). */
    List<NeedlePrompt> prompts(long step) {
        Random random = stepRandom(seed, step);
        List<NeedlePrompt> prompts = new ArrayList<>();
        int tokens = 0;
        if (random.nextDouble() < mix.kvShare()) {
            int pairs = mix.minKvPairs() + random.nextInt(mix.maxKvPairs() - mix.minKvPairs() + 1);
            while (tokens < mix.batchTokens()) {
                KvRetrieval.Example record = kvRecords.get(random.nextInt(kvRecords.size()));
                NeedlePrompt prompt = NeedlePrompt.of(KvWindow.sample(record, pairs, random), tokenizer);
                prompts.add(prompt);
                tokens += prompt.ids().length;
            }
        } else {
            int length = pick(random);
            while (tokens < mix.batchTokens()) {
                int count = 1 + random.nextInt(needleLimit(length));
                NeedlePrompt prompt = NeedlePrompt.of(needles.generate(length, count, count, random.nextLong()),
                        tokenizer);
                prompts.add(prompt);
                tokens += prompt.ids().length;
            }
        }
        return prompts;
    }

    /**
     * The random source of update {@code step}. (seed, step) is mixed by SplittableRandom first: java.util.Random's
     * first draws from neighbouring seeds are nearly equal, and seeding it with seed·1,000,003 + step made the
     * kv-or-needle choice the same for whole runs (a kv share of 0.1 gave no kv update in 2,400, a share of 0.5 gave
     * nothing else).
     */
    static Random stepRandom(long seed, long step) {
        return new Random(new SplittableRandom(seed * 1_000_003L + step).nextLong());
    }

    /** At most one needle per 24 context tokens (a needle is ~12), so short contexts keep some haystack. */
    private int needleLimit(int length) {
        return Math.max(1, Math.min(mix.maxNeedles(), length / 24));
    }

    private int pick(Random random) {
        double total = mix.lengthWeights().stream().mapToDouble(Double::doubleValue).sum();
        double draw = random.nextDouble() * total;
        for (int i = 0; i < mix.lengths().size(); i++) {
            draw -= mix.lengthWeights().get(i);
            if (draw < 0) {
                return mix.lengths().get(i);
            }
        }
        return mix.lengths().get(mix.lengths().size() - 1);
    }

    /** Pads the prompts into one batch; see the class comment for the layout. */
    static Batch collate(List<NeedlePrompt> prompts, NDManager manager) {
        int batch = prompts.size();
        int length = prompts.stream().mapToInt(p -> p.ids().length).max().orElseThrow();
        List<int[][]> targets = prompts.stream().map(NeedlePrompt::answerTargets).toList();
        int answers = targets.stream().mapToInt(t -> t.length).max().orElseThrow();
        int[] ids = new int[batch * length];
        int[] mask = new int[batch * length];
        int[] positions = new int[batch * answers];
        long[] labels = new long[batch * answers];
        Arrays.fill(labels, TokenCrossEntropy.IGNORE);
        for (int b = 0; b < batch; b++) {
            int[] tokens = prompts.get(b).ids();
            System.arraycopy(tokens, 0, ids, b * length, tokens.length);
            Arrays.fill(mask, b * length, b * length + tokens.length, 1);
            int[][] rows = targets.get(b);
            for (int a = 0; a < rows.length; a++) {
                positions[b * answers + a] = rows[a][0];
                labels[b * answers + a] = rows[a][1];
            }
        }
        NDList inputs = new NDList(
                manager.create(ids, new Shape(batch, length)),                // (B, T)
                manager.create(mask, new Shape(batch, length)),               // (B, T)
                manager.create(positions, new Shape(batch, answers)));        // (B, A)
        NDList labelList = new NDList(manager.create(labels, new Shape(batch, answers)).toType(DataType.INT64, false));
        return new Batch(inputs, labelList);
    }
}
