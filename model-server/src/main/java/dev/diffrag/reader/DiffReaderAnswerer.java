package dev.diffrag.reader;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.diffrag.answer.AnswerRequest;
import dev.diffrag.answer.Answerer;
import dev.diffrag.answer.GroundedAnswer;
import dev.diffrag.answer.Passage;
import dev.diffrag.model.Devices;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The Diff Transformer reader as an {@link Answerer}: every answer is a verbatim span of one passage, cited with its
 * character offsets, or an abstention when the span's confidence (its probability against the no-answer slot's) is
 * under the checkpoint's calibrated threshold. Spans of the kind of answer the question asks for are favoured by the
 * checkpoint's calibrated answer-type weight ({@link AnswerType}). Runs on the GPU when there is one ({@link Devices#pick()}).
 *
 * <pre>{@code
 * try (Answerer reader = DiffReaderAnswerer.shipped()) {           // classpath /reader/diff-v2-bge-top4/
 *     List<GroundedAnswer> answers = reader.answer(requests);
 * }
 * }</pre>
 */
public final class DiffReaderAnswerer implements Answerer {

    /**
     * The reader shipped as the default: Diff V2 over the mean of frozen bge-small-en-v1.5's last four layers,
     * trained for 6,000 updates on the phrases recipe. It reads best of the shipped readers on the development split
     * (F1 at its threshold 48.9 with its answer-type weight 9) and meets both calibration targets there; see
     * resources/reader/README.md.
     */
    public static final String DEFAULT = "diff-v2-bge-top4";
    /** The answerer name that selects a shipped reader: {@code diff-reader} (the default) or {@code diff-reader:NAME}. */
    public static final String ANSWERER = "diff-reader";
    /**
     * Bytes of cached tokens and of cached features (each): features of about 85,000 tokens, some 400 of the
     * pipeline's 800-character chunks. Every answering subtask of the job holds its own reader.
     */
    private static final long CACHE_BYTES = 128L << 20;
    /**
     * Passage characters read together: about 50,000 tokens, 75 MB of features, which fit the feature cache, so the
     * group's features, computed in one run, are still cached when its inputs are built.
     */
    static final long GROUP_CHARS = 200_000;

    private final String name;
    private final ReaderConfig config;
    private final NDManager manager;
    private final ReaderFeaturizer featurizer;
    private final SpanPredictor predictor;
    private final double threshold;
    private final double answerTypeWeight;
    private final DataType dataType;

    private DiffReaderAnswerer(String name, NDManager manager, ReaderCheckpoint.Loaded loaded, double threshold) {
        this.name = name;
        this.manager = manager;
        this.config = loaded.model().config();
        this.featurizer = new ReaderFeaturizer(config, CACHE_BYTES, Runtime.getRuntime().availableProcessors());
        this.predictor = new SpanPredictor(loaded.model(), featurizer, manager);
        this.threshold = threshold;
        this.answerTypeWeight = loaded.calibration().answerTypeWeight();
        this.dataType = loaded.model().namedParameters().values().iterator().next().getArray().getDataType();
    }

    /** The default shipped reader ({@value #DEFAULT}) with its calibrated threshold. */
    public static DiffReaderAnswerer shipped() throws IOException {
        return shipped(DEFAULT);
    }

    /** {@link #shipped()} for factories that cannot throw checked exceptions (Flink tasks, the model server). */
    public static DiffReaderAnswerer shippedDefault() {
        return selectedUnchecked(DEFAULT);
    }

    /**
     * The reader {@link #selectedBy} names, for factories that cannot throw checked exceptions (Flink tasks, the model
     * server): a shipped reader by name, or, when {@code reader} contains a '/', the checkpoint directory a
     * {@code reader train} run wrote ({@code OUT/<variant>}), with its calibrated threshold.
     */
    public static DiffReaderAnswerer selectedUnchecked(String reader) {
        try {
            return reader.contains("/") ? load(Path.of(reader), null) : shipped(reader);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot load the reader '" + reader + "'", e);
        }
    }

    /**
     * Refuses a {@link #selectedBy selected} reader that is no shipped reader's name, before any task tries to load it
     * (a checkpoint directory, a value with a '/', is read where the reader runs, so it is not checked here).
     */
    public static void requireKnown(String reader) {
        if (!reader.contains("/") && !ReaderCheckpoint.isShipped(reader)) {
            throw new IllegalArgumentException("no shipped reader '" + reader + "': name one (e.g. " + DEFAULT
                    + ", see model-server/README.md) or a checkpoint directory (a path with '/')");
        }
    }

    /**
     * The reader an answerer name selects: {@value #DEFAULT} for {@code diff-reader}, READER for
     * {@code diff-reader:READER} (a shipped reader's name or a checkpoint directory, see {@link #selectedUnchecked});
     * empty for any other answerer name.
     */
    public static Optional<String> selectedBy(String answererName) {
        if (answererName.equals(ANSWERER)) {
            return Optional.of(DEFAULT);
        }
        return answererName.startsWith(ANSWERER + ":")
                ? Optional.of(answererName.substring(ANSWERER.length() + 1)) : Optional.empty();
    }

    /**
     * A shipped reader by name: {@code diff-v2-long}, {@code diff-v1-long}, {@code vanilla-long} (3,000 updates);
     * {@code diff-v2-bge-top4}, {@code diff-v1-bge-top4}, {@code vanilla-bge-top4} (6,000 updates over the mean of
     * bge-small-en-v1.5's last four layers);
     * {@code diff-v1},
     * {@code vanilla}, {@code diff-v2}, {@code diff-v1-scratch} (1,500 updates).
     */
    public static DiffReaderAnswerer shipped(String readerName) throws IOException {
        return shipped(readerName, null);
    }

    /**
     * {@link #shipped(String)}; {@code threshold} null uses the calibrated one. Runs on {@link Devices#pick()} in
     * {@link Devices#dataType} (float32 unless a 16-bit type is asked for on a GPU).
     */
    public static DiffReaderAnswerer shipped(String readerName, Double threshold) throws IOException {
        Device device = Devices.pick();
        return shipped(readerName, threshold, device, Devices.dataType(device));
    }

    /** {@link #shipped(String, Double)} on {@code device}, computing in {@code dataType}. */
    static DiffReaderAnswerer shipped(String readerName, Double threshold, Device device, DataType dataType)
            throws IOException {
        checkThreshold(threshold);
        NDManager manager = NDManager.newBaseManager(device);
        try {
            ReaderCheckpoint.Loaded loaded = ReaderCheckpoint.loadResource(readerName, manager, dataType);
            return new DiffReaderAnswerer(readerName + "-reader", manager, loaded,
                    threshold != null ? threshold : loaded.calibration().abstainThreshold());
        } catch (IOException | RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    /** A reader from a checkpoint directory; {@code threshold} null uses the calibrated one. Device and type as {@link #shipped(String, Double)}. */
    public static DiffReaderAnswerer load(Path directory, Double threshold) throws IOException {
        checkThreshold(threshold);
        Device device = Devices.pick();
        NDManager manager = NDManager.newBaseManager(device);
        try {
            ReaderCheckpoint.Loaded loaded = ReaderCheckpoint.load(directory, manager, Devices.dataType(device));
            String kind = loaded.model().config().encoder().attention().name().toLowerCase(Locale.ROOT)
                    .replace('_', '-');
            String input = loaded.model().config().input() == ReaderConfig.Input.TOKEN_EMBEDDINGS ? "-scratch" : "";
            return new DiffReaderAnswerer(kind + input + "-reader", manager, loaded,
                    threshold != null ? threshold : loaded.calibration().abstainThreshold());
        } catch (IOException | RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    /** Confidences are probabilities: a threshold outside [0, 1] would always or never abstain, a NaN one never. */
    private static void checkThreshold(Double threshold) {
        if (threshold != null && !(threshold >= 0 && threshold <= 1)) {
            throw new IllegalArgumentException("threshold must lie in [0, 1], got " + threshold);
        }
    }

    @Override
    public String name() {
        return name;
    }

    public double threshold() {
        return threshold;
    }

    /** The type the reader computes in: float32, or a 16-bit type on a GPU when {@code DIFFRAG_DTYPE} asks for it. */
    public DataType dataType() {
        return dataType;
    }

    /** What the reader answers, and the best span it found whether or not it withheld it. */
    public record Reading(GroundedAnswer answer, GroundedAnswer bestSpan) {}

    @Override
    public List<GroundedAnswer> answer(List<AnswerRequest> requests) {
        return read(requests).stream().map(Reading::answer).toList();
    }

    /**
     * Answers with the best span beside each (for measuring reading apart from abstention). Passages longer together
     * than one reader input are read in several ({@link PassageWindows}), all in the same batches, and the span with
     * the highest confidence among a request's inputs is its reading. Requests are read in groups of at most
     * {@value #GROUP_CHARS} passage characters (a larger request alone), so a batch holds the features of one group
     * at a time, not of every request in it.
     */
    public List<Reading> read(List<AnswerRequest> requests) {
        return read(requests, GROUP_CHARS);
    }

    List<Reading> read(List<AnswerRequest> requests, long groupChars) {
        List<Reading> readings = new ArrayList<>(requests.size());
        groups(requests, groupChars).forEach(group -> readings.addAll(readGroup(group)));
        return readings;
    }

    /** Consecutive runs of requests with at most {@code groupChars} passage characters together (or one request). */
    static List<List<AnswerRequest>> groups(List<AnswerRequest> requests, long groupChars) {
        List<List<AnswerRequest>> groups = new ArrayList<>();
        int from = 0;
        while (from < requests.size()) {
            int to = from + 1;
            long chars = contextChars(requests.get(from));
            while (to < requests.size() && chars + contextChars(requests.get(to)) <= groupChars) {
                chars += contextChars(requests.get(to++));
            }
            groups.add(requests.subList(from, to));
            from = to;
        }
        return groups;
    }

    private static long contextChars(AnswerRequest request) {
        return request.contexts().stream().mapToLong(p -> p.text().length()).sum();
    }

    private List<Reading> readGroup(List<AnswerRequest> requests) {
        Map<String, float[][]> features = featurizer.precompute(requests.stream().map(r -> new ReaderFeaturizer.Texts(
                r.question(), r.contexts().stream().map(Passage::text).toList())).toList());
        List<ReaderFeaturizer.Encoded> encoded = new ArrayList<>();
        List<List<Passage>> windowPassages = new ArrayList<>();
        int[] firstWindow = new int[requests.size() + 1];
        for (int i = 0; i < requests.size(); i++) {
            firstWindow[i] = encoded.size();
            AnswerRequest request = requests.get(i);
            for (PassageWindows.Window window : windows(request)) {
                List<Passage> passages = window.passages().stream().map(request.contexts()::get).toList();
                windowPassages.add(passages);
                encoded.add(featurizer.encode(request.question(), passages, window.ranges(), features));
            }
        }
        firstWindow[requests.size()] = encoded.size();
        List<SpanDecoder.Span> spans = predictor.spans(encoded, answerTypeWeight);
        List<Reading> readings = new ArrayList<>(requests.size());
        for (int i = 0; i < requests.size(); i++) {
            int best = firstWindow[i];
            for (int w = best + 1; w < firstWindow[i + 1]; w++) {
                if (spans.get(w).confidence() > spans.get(best).confidence()) {
                    best = w;
                }
            }
            SpanDecoder.Span span = spans.get(best);
            readings.add(new Reading(toAnswer(windowPassages.get(best), encoded.get(best), span, threshold),
                    toAnswer(windowPassages.get(best), encoded.get(best), span, 0)));
        }
        return readings;
    }

    private List<PassageWindows.Window> windows(AnswerRequest request) {
        int questionTokens = Math.min(featurizer.tokens(request.question()).size(), config.maxQuestionTokens());
        int[] passageTokens = request.contexts().stream().mapToInt(p -> featurizer.tokens(p.text()).size()).toArray();
        return PassageWindows.plan(questionTokens, passageTokens, config.encoder().maxLength(),
                config.maxAnswerTokens());
    }

    /** The span as a cited verbatim quote, or an abstention. */
    static GroundedAnswer toAnswer(List<Passage> passages, ReaderFeaturizer.Encoded encoded, SpanDecoder.Span span,
            double threshold) {
        if (span.passage() < 0 || span.confidence() < threshold) {
            return GroundedAnswer.abstain(span.confidence());
        }
        ReaderTokenizer.Tokens tokens = encoded.passageTokens().get(span.passage());
        Passage passage = passages.get(span.passage());
        return GroundedAnswer.span(passage, tokens.start()[span.startToken()],
                throughAttachedMarks(passage.text(), tokens.end()[span.endToken()]), span.confidence());
    }

    /**
     * {@code end} moved past the combining marks, variation selectors and zero-width joiners that follow it. The
     * tokenizer strips accents, so a decomposed word's last token ends before its trailing marks ("Négre" for
     * "Négré" written with U+0301); they belong to the character the answer ends with.
     */
    static int throughAttachedMarks(String text, int end) {
        while (end < text.length() && attached(text.codePointAt(end))) {
            end += Character.charCount(text.codePointAt(end));
        }
        return end;
    }

    private static boolean attached(int codePoint) {
        int type = Character.getType(codePoint);
        // Variation selectors are non-spacing marks (Mn) too.
        return type == Character.NON_SPACING_MARK || type == Character.ENCLOSING_MARK || codePoint == '\u200D';
    }

    @Override
    public void close() {
        featurizer.close();
        manager.close();
    }
}
