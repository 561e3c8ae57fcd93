package dev.diffrag.reader;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * Frozen token features of a pretrained encoder: the last hidden state (one 384-vector per WordPiece token) of the ONNX
 * model that ships in a LangChain4j embeddings jar (all-MiniLM-L6-v2 or bge-small-en-v1.5, which share MiniLM's
 * vocabulary), run with onnxruntime. A text is encoded on its own (a question apart from its passages, so a passage's
 * features can be cached and reused for every question that retrieves it, and the reader's own layers do the
 * question–passage interaction) or after a prefix (a passage after its question, so the pretrained layers relate
 * the two; see {@link ReaderConfig.Input#joint()}).
 *
 * <p>Texts longer than one window are cut into windows of {@value #WINDOW_TOKENS} tokens, each wrapped in
 * [CLS] … [SEP] as the encoders were trained; the features of [CLS] and [SEP] are dropped, so row i is token i.
 */
public final class FrozenTokenFeatures implements PretrainedFeatures {

    /** Width of both encoders' hidden states. */
    public static final int DIM = 384;
    /** Content tokens per window: MiniLM's 256-token training length minus [CLS] and [SEP] (kept for BGE too). */
    static final int WINDOW_TOKENS = 254;
    /** Windows per onnxruntime call. */
    private static final int WINDOWS_PER_RUN = 16;

    private final ReaderConfig.Input encoder;
    private final OrtEnvironment environment;
    private final OrtSession session;

    /**
     * @param encoder an input with frozen features ({@link ReaderConfig.Input#frozen()})
     * @param threads onnxruntime intra-op threads
     */
    public FrozenTokenFeatures(ReaderConfig.Input encoder, int threads) {
        if (!encoder.frozen() || encoder.tunedLayers() > 0 || encoder.averagedLayers() > 1) {
            throw new IllegalArgumentException(encoder + " has no frozen encoder");
        }
        this.encoder = encoder;
        try (InputStream model = FrozenTokenFeatures.class.getResourceAsStream(encoder.onnxResource())) {
            if (model == null) {
                throw new IllegalStateException(encoder.onnxResource() + " is not on the classpath (it ships in "
                        + encoder.jar() + ")");
            }
            environment = OrtEnvironment.getEnvironment();
            // The session keeps what it needs of its options: their native object is freed once it exists.
            try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
                options.setIntraOpNumThreads(threads);
                session = environment.createSession(model.readAllBytes(), options);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + encoder.onnxResource(), e);
        } catch (OrtException e) {
            throw new IllegalStateException("cannot load " + encoder.onnxResource() + " into onnxruntime", e);
        }
    }

    /** Features (tokens, {@value #DIM}) of each token sequence, in order, each encoded on its own. */
    public List<float[][]> features(List<int[]> tokenIds) {
        return features(tokenIds, Collections.nCopies(tokenIds.size(), new int[0]));
    }

    /**
     * Features (tokens, {@value #DIM}) of each token sequence, each read after its prefix: every window is
     * [CLS] prefix [SEP] tokens [SEP], so the pretrained layers see both (a passage read with its question), and only
     * the tokens' rows are kept. All positions keep segment id 0: both encoders were fine-tuned on single texts. An
     * empty prefix gives {@link #features(List)}.
     */
    @Override
    public List<float[][]> features(List<int[]> tokenIds, List<int[]> prefixes) {
        record Window(int text, int offset, int[] prefix, int[] ids) {
            int length() {
                return (prefix.length > 0 ? prefix.length + 1 : 0) + ids.length;
            }
        }
        List<Window> windows = new ArrayList<>();
        List<float[][]> result = new ArrayList<>(tokenIds.size());
        for (int t = 0; t < tokenIds.size(); t++) {
            int[] ids = tokenIds.get(t);
            int[] prefix = prefixes.get(t);
            int perWindow = WINDOW_TOKENS - (prefix.length > 0 ? prefix.length + 1 : 0);
            if (perWindow < WINDOW_TOKENS / 2) {
                throw new IllegalArgumentException("a prefix of " + prefix.length + " tokens leaves too little of a "
                        + WINDOW_TOKENS + "-token window");
            }
            result.add(new float[ids.length][]);
            for (int offset = 0; offset < ids.length; offset += perWindow) {
                windows.add(new Window(t, offset, prefix,
                        Arrays.copyOfRange(ids, offset, Math.min(ids.length, offset + perWindow))));
            }
        }
        // Similar lengths share a run, so little of each run is padding.
        windows.sort(Comparator.comparingInt(Window::length));
        for (int from = 0; from < windows.size(); from += WINDOWS_PER_RUN) {
            List<Window> run = windows.subList(from, Math.min(windows.size(), from + WINDOWS_PER_RUN));
            float[][][] hidden = run(run.stream().map(w -> concat(w.prefix(), w.ids())).toList());
            for (int w = 0; w < run.size(); w++) {
                Window window = run.get(w);
                int first = 1 + window.length() - window.ids().length; // after [CLS] and the prefix with its [SEP]
                float[][] rows = result.get(window.text());
                for (int i = 0; i < window.ids().length; i++) {
                    rows[window.offset() + i] = hidden[w][first + i];
                }
            }
        }
        return result;
    }

    /** {@code prefix [SEP] ids}, or {@code ids} alone when there is no prefix. */
    private static int[] concat(int[] prefix, int[] ids) {
        if (prefix.length == 0) {
            return ids;
        }
        int[] joined = new int[prefix.length + 1 + ids.length];
        System.arraycopy(prefix, 0, joined, 0, prefix.length);
        joined[prefix.length] = ReaderTokenizer.SEP;
        System.arraycopy(ids, 0, joined, prefix.length + 1, ids.length);
        return joined;
    }

    /** One onnxruntime call over windows padded to the longest: (windows, 1 + tokens + 1, DIM). */
    private float[][][] run(List<int[]> windows) {
        int length = windows.stream().mapToInt(w -> w.length).max().orElse(0) + 2;
        long[][] ids = new long[windows.size()][length];
        long[][] mask = new long[windows.size()][length];
        long[][] types = new long[windows.size()][length];
        for (int w = 0; w < windows.size(); w++) {
            int[] window = windows.get(w);
            ids[w][0] = ReaderTokenizer.CLS;
            for (int i = 0; i < window.length; i++) {
                ids[w][i + 1] = window[i];
            }
            ids[w][window.length + 1] = ReaderTokenizer.SEP;
            Arrays.fill(mask[w], 0, window.length + 2, 1L);
        }
        try (OnnxTensor idTensor = OnnxTensor.createTensor(environment, ids);
                OnnxTensor maskTensor = OnnxTensor.createTensor(environment, mask);
                OnnxTensor typeTensor = OnnxTensor.createTensor(environment, types);
                OrtSession.Result result = session.run(Map.of(
                        "input_ids", idTensor, "attention_mask", maskTensor, "token_type_ids", typeTensor))) {
            return (float[][][]) result.get(0).getValue();
        } catch (OrtException e) {
            throw new IllegalStateException(encoder + " inference failed", e);
        }
    }

    @Override
    public void close() {
        try {
            session.close();
        } catch (OrtException e) {
            throw new IllegalStateException("cannot close the " + encoder + " session", e);
        }
    }
}
