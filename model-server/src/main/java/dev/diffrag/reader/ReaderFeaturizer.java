package dev.diffrag.reader;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.diffrag.answer.Passage;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns questions and passages into reader inputs: WordPiece tokens (with char spans) and, for a frozen-feature input,
 * the pretrained encoder's token features. Both are cached by text, so a passage retrieved for many questions is
 * encoded once (once per question for a joint input, whose passage features depend on the question). The caches are
 * bounded by bytes, not by entries: a passage's features take 1.5 KB a token, so a long passage weighs a hundred
 * short ones.
 */
public final class ReaderFeaturizer implements AutoCloseable {

    /**
     * A question with its passages, laid out and with the features the layout refers to; {@code askedType} marks the
     * positions that hold passage tokens of the kind of answer the question asks for ({@link AnswerType}).
     */
    public record Encoded(ReaderSequence sequence, List<ReaderTokenizer.Tokens> passageTokens, float[][] question,
            List<float[][]> passages, boolean[] askedType) {}

    private final ReaderConfig config;
    private final ReaderTokenizer tokenizer;
    private final PretrainedFeatures frozen; // null for the token-embedding input
    private final ByteBoundedLru<ReaderTokenizer.Tokens> tokens;
    private final ByteBoundedLru<float[][]> features;

    /** @param cacheBytes the most each cache (tokens, features) holds, keys included; {@link Long#MAX_VALUE}: no bound */
    public ReaderFeaturizer(ReaderConfig config, long cacheBytes, int threads) {
        this(config, config.input().frozen() ? PretrainedFeatures.of(config.input(), threads) : null, cacheBytes);
    }

    /** With {@code frozen} computing the features of a frozen-feature input (null for token embeddings). */
    ReaderFeaturizer(ReaderConfig config, PretrainedFeatures frozen, long cacheBytes) {
        this.config = config;
        this.tokenizer = new ReaderTokenizer();
        this.frozen = frozen;
        // Object headers counted as 16 bytes an array, 16 a record: a short question's arrays weigh more than its ints.
        this.tokens = new ByteBoundedLru<>(cacheBytes, t -> 16 + 3 * (16 + 4L * t.size())); // three int arrays
        this.features = new ByteBoundedLru<>(cacheBytes,
                f -> 16 + f.length * (16 + (f.length == 0 ? 0 : 4L * f[0].length))); // an array of float rows
    }

    /**
     * One featurizer for readers that are trained or calibrated together: it runs their one frozen encoder (a
     * token-embedding reader ignores the features, so it can share any of them) and lays their inputs out with
     * their one sequence and question limit.
     */
    public static ReaderFeaturizer sharedBy(List<ReaderConfig> configs, long cacheBytes, int threads) {
        if (configs.stream().map(c -> List.of(c.encoder().maxLength(), c.maxQuestionTokens())).distinct().count() > 1) {
            throw new IllegalArgumentException("readers with different sequence or question limits cannot share a "
                    + "featurizer: " + configs.stream().map(c -> "maxLength " + c.encoder().maxLength()
                            + " / maxQuestionTokens " + c.maxQuestionTokens()).distinct().toList());
        }
        List<ReaderConfig> frozen = configs.stream().filter(c -> c.input().frozen()).toList();
        if (frozen.stream().map(ReaderConfig::input).distinct().count() > 1) {
            throw new IllegalArgumentException("readers with different frozen encoders cannot share a featurizer: "
                    + frozen.stream().map(ReaderConfig::input).distinct().toList());
        }
        return new ReaderFeaturizer(frozen.isEmpty() ? configs.get(0) : frozen.get(0), cacheBytes, threads);
    }

    /** The input this featurizer computes features for. */
    public ReaderConfig.Input input() {
        return config.input();
    }

    public synchronized ReaderTokenizer.Tokens tokens(String text) {
        return tokens.computeIfAbsent(text, tokenizer::tokenize);
    }

    /** A question and the texts of its passages: what one reader input needs features of. */
    public record Texts(String question, List<String> passages) {}

    /**
     * Computes, in batched runs, the frozen features not cached yet of each question and of each passage (on its
     * own, or after its question when the input is {@link ReaderConfig.Input#joint() joint}).
     *
     * @return the features of every question and passage of {@code inputs} by cache key, for
     *         {@link #encode(String, List, List, Map)}: the cache may be too small to keep them all (a request of
     *         100 contexts of 8,000 characters has some 300 MB of features), and encode would compute the dropped ones
     *         again
     */
    public synchronized Map<String, float[][]> precompute(Collection<Texts> inputs) {
        if (frozen == null) {
            return Map.of();
        }
        Map<String, int[]> missing = new LinkedHashMap<>(); // cache key → prefix
        Map<String, String> textOf = new LinkedHashMap<>();
        for (Texts input : inputs) {
            missing.put(questionKey(input.question()), new int[0]);
            textOf.put(questionKey(input.question()), input.question());
            for (String passage : input.passages()) {
                String key = passageKey(input.question(), passage);
                missing.put(key, config.input().joint() ? questionPrefix(input.question()) : new int[0]);
                textOf.put(key, passage);
            }
        }
        // get, not containsKey: it marks the cached texts of these inputs as used, so that storing the missing ones
        // drops other texts first.
        Map<String, float[][]> batch = new HashMap<>();
        missing.keySet().removeIf(key -> {
            float[][] cached = features.get(key);
            if (cached != null) {
                batch.put(key, cached);
            }
            return cached != null;
        });
        List<String> keys = new ArrayList<>(missing.keySet());
        List<int[]> ids = keys.stream().map(k -> tokens(textOf.get(k)).ids()).toList();
        List<float[][]> computed = frozen.features(ids, keys.stream().map(missing::get).toList());
        for (int i = 0; i < keys.size(); i++) {
            features.put(keys.get(i), computed.get(i));
            batch.put(keys.get(i), computed.get(i));
        }
        return batch;
    }

    /**
     * The cache key of a question's features: its text (features of the same text on its own, whether question or
     * passage), tagged apart from the passage keys of a joint input.
     */
    private String questionKey(String question) {
        return config.input().joint() ? "q" + question : question;
    }

    /**
     * The cache key of a passage's features: the passage, or the question and passage when read together, led by the
     * question's length. Joined with a separator instead, a question that held it ("Who?\u0000text", valid JSON) had
     * the key of the passage "text" read after "Who?", and either one was given the other's features.
     */
    private String passageKey(String question, String passage) {
        return config.input().joint() ? "p" + question.length() + ":" + question + passage : passage;
    }

    /** The question's tokens that fit in a reader input, which also prefix its passages in a joint encoding. */
    private int[] questionPrefix(String question) {
        int[] ids = tokens(question).ids();
        return Arrays.copyOf(ids, Math.min(ids.length, config.maxQuestionTokens()));
    }

    private float[][] questionFeatures(String question, Map<String, float[][]> precomputed) {
        return cachedFeatures(questionKey(question), question, new int[0], precomputed);
    }

    private float[][] passageFeatures(String question, String passage, Map<String, float[][]> precomputed) {
        return cachedFeatures(passageKey(question, passage), passage,
                config.input().joint() ? questionPrefix(question) : new int[0], precomputed);
    }

    private synchronized float[][] cachedFeatures(String key, String text, int[] prefix,
            Map<String, float[][]> precomputed) {
        float[][] cached = precomputed.containsKey(key) ? precomputed.get(key) : features.get(key);
        if (cached == null) {
            cached = frozen.features(List.of(tokens(text).ids()), List.of(prefix)).get(0);
            features.put(key, cached);
        }
        return cached;
    }

    public Encoded encode(String question, List<Passage> passages) {
        return encode(question, passages, null);
    }

    /**
     * {@link #encode(String, List)} holding only tokens {@code ranges.get(p)} of passage p (null: whole passages);
     * token features stay those of the whole passage, so a piece reads as it would in its passage.
     */
    public Encoded encode(String question, List<Passage> passages, List<ReaderSequence.TokenRange> ranges) {
        return encode(question, passages, ranges, Map.of());
    }

    /** {@link #encode(String, List, List)} reading features first from {@code precomputed} ({@link #precompute}). */
    public Encoded encode(String question, List<Passage> passages, List<ReaderSequence.TokenRange> ranges,
            Map<String, float[][]> precomputed) {
        ReaderTokenizer.Tokens questionTokens = tokens(question);
        List<ReaderTokenizer.Tokens> passageTokens = passages.stream().map(p -> tokens(p.text())).toList();
        ReaderSequence sequence = ReaderSequence.build(questionTokens, passageTokens,
                ranges != null ? ranges : passageTokens.stream().map(ReaderSequence.TokenRange::whole).toList(),
                tokenizer.functionWords(), config.maxQuestionTokens(), config.encoder().maxLength());
        boolean[] askedType = AnswerType.askedOf(question, passages.stream().map(Passage::text).toList(),
                passageTokens, sequence);
        if (frozen == null) {
            return new Encoded(sequence, passageTokens, null, null, askedType);
        }
        List<float[][]> passageFeatures = passages.stream()
                .map(p -> passageFeatures(question, p.text(), precomputed)).toList();
        return new Encoded(sequence, passageTokens, questionFeatures(question, precomputed), passageFeatures,
                askedType);
    }

    /**
     * The model's forward inputs for a batch, padded to its longest sequence: [input, segments, paddingMask], and for
     * an input with tuned layers [windows, segments, paddingMask, windowMask, rows] ({@link #windowInputs}).
     */
    public NDList inputs(List<Encoded> batch, ReaderConfig.Input kind, NDManager manager) {
        if (kind.tunedLayers() > 0) {
            return windowInputs(batch, manager);
        }
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

    /**
     * Inputs for tuned layers, which read every window of every text of the batch (question and passages) as the
     * pretrained encoder does, [CLS] and [SEP] included (layout in {@link BelowTunedLayers}):
     * windows (W, Lw, 384) the states below the tuned layers, zero-padded; segments (B, T); paddingMask (B, T);
     * windowMask (W, Lw) 1 at real rows; rows (B, T) int, the flat index (window · Lw + row) of each reader position's
     * token, or W · Lw (a zero row) for the reader's own [CLS] and [SEP].
     */
    private NDList windowInputs(List<Encoded> batch, NDManager manager) {
        int examples = batch.size();
        int length = batch.stream().mapToInt(e -> e.sequence().length()).max().orElse(0);
        List<float[][]> windows = new ArrayList<>();
        int[][] firstWindow = new int[examples][]; // [b][0] the question's, [b][1 + p] passage p's
        for (int b = 0; b < examples; b++) {
            Encoded encoded = batch.get(b);
            firstWindow[b] = new int[1 + encoded.passages().size()];
            for (int text = 0; text < firstWindow[b].length; text++) {
                float[][] rows = text == 0 ? encoded.question() : encoded.passages().get(text - 1);
                firstWindow[b][text] = windows.size();
                for (int from = 0; from < rows.length; from += BelowTunedLayers.WINDOW_ROWS) {
                    int to = Math.min(rows.length, from + BelowTunedLayers.WINDOW_ROWS);
                    windows.add(Arrays.copyOfRange(rows, from, to));
                }
            }
        }
        int windowLength = windows.stream().mapToInt(w -> w.length).max().orElse(1);
        int dim = FrozenTokenFeatures.DIM;
        float[] states = new float[windows.size() * windowLength * dim];
        float[] windowMask = new float[windows.size() * windowLength];
        for (int w = 0; w < windows.size(); w++) {
            float[][] window = windows.get(w);
            for (int r = 0; r < window.length; r++) {
                System.arraycopy(window[r], 0, states, (w * windowLength + r) * dim, dim);
                windowMask[w * windowLength + r] = 1;
            }
        }
        int zeroRow = windows.size() * windowLength;
        int[] segments = new int[examples * length];
        float[] mask = new float[examples * length];
        int[] rowIndex = new int[examples * length];
        Arrays.fill(rowIndex, zeroRow);
        for (int b = 0; b < examples; b++) {
            ReaderSequence sequence = batch.get(b).sequence();
            for (int t = 0; t < sequence.length(); t++) {
                int at = b * length + t;
                segments[at] = sequence.segment(t);
                mask[at] = 1;
                int source = sequence.source(t);
                if (source == ReaderSequence.BOUNDARY) {
                    continue;
                }
                int row = BelowTunedLayers.row(sequence.row(t));
                int window = firstWindow[b][source == ReaderSequence.QUESTION ? 0 : 1 + source]
                        + row / BelowTunedLayers.WINDOW_ROWS;
                rowIndex[at] = window * windowLength + row % BelowTunedLayers.WINDOW_ROWS;
            }
        }
        return new NDList(manager.create(states, new Shape(windows.size(), windowLength, dim)),
                manager.create(segments, new Shape(examples, length)), manager.create(mask, new Shape(examples, length)),
                manager.create(windowMask, new Shape(windows.size(), windowLength)),
                manager.create(rowIndex, new Shape(examples, length)));
    }

    @Override
    public void close() {
        tokenizer.close();
        if (frozen != null) {
            frozen.close();
        }
    }
}
