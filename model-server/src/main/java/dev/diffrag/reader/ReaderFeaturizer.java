package dev.diffrag.reader;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.diffrag.answer.Passage;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * Turns questions and passages into reader inputs: WordPiece tokens (with char spans) and, for a frozen-feature input,
 * the pretrained encoder's token features. Both are cached by text (least recently used first out), so a passage
 * retrieved for many questions is encoded once.
 */
public final class ReaderFeaturizer implements AutoCloseable {

    /** A question with its passages, laid out and with the features the layout refers to. */
    public record Encoded(ReaderSequence sequence, List<ReaderTokenizer.Tokens> passageTokens, float[][] question,
            List<float[][]> passages) {}

    private final ReaderConfig config;
    private final ReaderTokenizer tokenizer;
    private final FrozenTokenFeatures frozen; // null for the token-embedding input
    private final Map<String, ReaderTokenizer.Tokens> tokens;
    private final Map<String, float[][]> features;

    /** @param cacheSize texts kept in each cache */
    public ReaderFeaturizer(ReaderConfig config, int cacheSize, int threads) {
        this.config = config;
        this.tokenizer = new ReaderTokenizer();
        this.frozen = config.input().frozen() ? new FrozenTokenFeatures(config.input(), threads) : null;
        this.tokens = lruMap(cacheSize);
        this.features = lruMap(cacheSize);
    }

    /**
     * One featurizer for readers that are trained or calibrated together: it runs their one frozen encoder (a
     * token-embedding reader ignores the features, so it can share any of them).
     */
    public static ReaderFeaturizer sharedBy(List<ReaderConfig> configs, int cacheSize, int threads) {
        List<ReaderConfig> frozen = configs.stream().filter(c -> c.input().frozen()).toList();
        if (frozen.stream().map(ReaderConfig::input).distinct().count() > 1) {
            throw new IllegalArgumentException("readers with different frozen encoders cannot share a featurizer: "
                    + frozen.stream().map(ReaderConfig::input).distinct().toList());
        }
        return new ReaderFeaturizer(frozen.isEmpty() ? configs.get(0) : frozen.get(0), cacheSize, threads);
    }

    /** The input this featurizer computes features for. */
    public ReaderConfig.Input input() {
        return config.input();
    }

    private static <V> Map<String, V> lruMap(int capacity) {
        return new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, V> eldest) {
                return size() > capacity;
            }
        };
    }

    public synchronized ReaderTokenizer.Tokens tokens(String text) {
        return tokens.computeIfAbsent(text, tokenizer::tokenize);
    }

    /** Computes the frozen features of every text not cached yet, in batched runs. */
    public synchronized void precompute(Collection<String> texts) {
        if (frozen == null) {
            return;
        }
        List<String> missing = new ArrayList<>(new LinkedHashSet<>(texts));
        missing.removeIf(features::containsKey);
        List<int[]> ids = new ArrayList<>(missing.size());
        for (String text : missing) {
            ids.add(tokens(text).ids());
        }
        List<float[][]> computed = frozen.features(ids);
        for (int i = 0; i < missing.size(); i++) {
            features.put(missing.get(i), computed.get(i));
        }
    }

    private synchronized float[][] features(String text) {
        if (frozen == null) {
            return null;
        }
        float[][] cached = features.get(text);
        if (cached == null) {
            cached = frozen.features(List.of(tokens(text).ids())).get(0);
            features.put(text, cached);
        }
        return cached;
    }

    public Encoded encode(String question, List<Passage> passages) {
        ReaderTokenizer.Tokens questionTokens = tokens(question);
        List<ReaderTokenizer.Tokens> passageTokens = passages.stream().map(p -> tokens(p.text())).toList();
        ReaderSequence sequence = ReaderSequence.build(questionTokens, passageTokens, tokenizer.functionWords(),
                config.maxQuestionTokens(),
                config.encoder().maxLength());
        List<float[][]> passageFeatures = frozen == null ? null
                : passages.stream().map(p -> features(p.text())).toList();
        return new Encoded(sequence, passageTokens, features(question), passageFeatures);
    }

    /** The model's forward inputs for a batch, padded to its longest sequence: [input, segments, paddingMask]. */
    public NDList inputs(List<Encoded> batch, ReaderConfig.Input kind, NDManager manager) {
        int rows = batch.size();
        int length = batch.stream().mapToInt(e -> e.sequence().length()).max().orElse(0);
        int[] segments = new int[rows * length];
        float[] mask = new float[rows * length];
        boolean frozenInput = kind.frozen();
        int[] ids = frozenInput ? null : new int[rows * length];
        float[] input = frozenInput ? new float[rows * length * FrozenTokenFeatures.DIM] : null;
        for (int b = 0; b < rows; b++) {
            Encoded encoded = batch.get(b);
            ReaderSequence sequence = encoded.sequence();
            for (int t = 0; t < sequence.length(); t++) {
                int at = b * length + t;
                segments[at] = sequence.segment(t);
                mask[at] = 1;
                if (!frozenInput) {
                    ids[at] = sequence.id(t);
                    continue;
                }
                int source = sequence.source(t);
                float[] row = source == ReaderSequence.QUESTION ? encoded.question()[sequence.row(t)]
                        : source >= 0 ? encoded.passages().get(source)[sequence.row(t)]
                        : null; // [CLS] and [SEP] carry only their segment embedding
                if (row != null) {
                    System.arraycopy(row, 0, input, at * FrozenTokenFeatures.DIM, FrozenTokenFeatures.DIM);
                }
            }
        }
        NDArray inputArray = frozenInput
                ? manager.create(input, new Shape(rows, length, FrozenTokenFeatures.DIM))
                : manager.create(ids, new Shape(rows, length));
        return new NDList(inputArray, manager.create(segments, new Shape(rows, length)),
                manager.create(mask, new Shape(rows, length)));
    }

    @Override
    public void close() {
        tokenizer.close();
        if (frozen != null) {
            frozen.close();
        }
    }
}
