package dev.diffrag.reader;

import ai.djl.Device;
import dev.diffrag.model.Devices;
import dev.diffrag.reader.pretrained.PretrainedBert;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * For an input with {@link ReaderConfig.Input#tunedLayers() tuned layers}: the pretrained encoder's hidden states
 * below them, which do not change in training and so are computed once per text. The tuned layers then run inside
 * the reader ({@link ReaderModel}) over the same windows, so every window keeps its [CLS] and [SEP] rows:
 *
 * <pre>
 * text of n tokens → windows of ≤ {@value FrozenTokenFeatures#WINDOW_TOKENS} tokens, each [CLS] tokens [SEP],
 * rows laid end to end: window k starts at row k·{@value #WINDOW_ROWS}, token i sits at row {@link #row(int)}
 * </pre>
 */
final class BelowTunedLayers implements PretrainedFeatures {

    /** Rows of a full window: its tokens with [CLS] and [SEP]. */
    static final int WINDOW_ROWS = FrozenTokenFeatures.WINDOW_TOKENS + 2;

    private final PretrainedBert encoder;
    private final int depth;

    BelowTunedLayers(ReaderConfig.Input input) {
        Device device = Devices.pick();
        this.encoder = PretrainedBert.load(input.onnxResource(), device);
        this.depth = encoder.layers() - input.tunedLayers();
    }

    /** Windows of a text of {@code tokens} tokens. */
    static int windows(int tokens) {
        return (tokens + FrozenTokenFeatures.WINDOW_TOKENS - 1) / FrozenTokenFeatures.WINDOW_TOKENS;
    }

    /** Rows of window {@code k} of a text of {@code tokens} tokens, [CLS] and [SEP] included. */
    static int windowRows(int tokens, int k) {
        return Math.min(FrozenTokenFeatures.WINDOW_TOKENS, tokens - k * FrozenTokenFeatures.WINDOW_TOKENS) + 2;
    }

    /** The windows of every text in order, each [CLS] tokens [SEP]: what the encoder reads. */
    static List<int[]> windowsOf(List<int[]> tokenIds) {
        List<int[]> windows = new ArrayList<>();
        for (int[] ids : tokenIds) {
            for (int k = 0; k < windows(ids.length); k++) {
                int from = k * FrozenTokenFeatures.WINDOW_TOKENS;
                int[] window = new int[windowRows(ids.length, k)];
                window[0] = ReaderTokenizer.CLS;
                System.arraycopy(ids, from, window, 1, window.length - 2);
                window[window.length - 1] = ReaderTokenizer.SEP;
                windows.add(window);
            }
        }
        return windows;
    }

    /** The row of token {@code i}. */
    static int row(int i) {
        return i + 2 * (i / FrozenTokenFeatures.WINDOW_TOKENS) + 1;
    }

    @Override
    public List<float[][]> features(List<int[]> tokenIds, List<int[]> prefixes) {
        if (prefixes.stream().anyMatch(p -> p.length > 0)) {
            throw new IllegalArgumentException("tuned layers read every text on its own (no prefix)");
        }
        List<float[][]> states = encoder.hiddenStates(windowsOf(tokenIds), depth);
        List<float[][]> result = new ArrayList<>(tokenIds.size());
        int next = 0;
        for (int[] ids : tokenIds) {
            List<float[]> rows = new ArrayList<>();
            for (int k = 0; k < windows(ids.length); k++) {
                rows.addAll(Arrays.asList(states.get(next++)));
            }
            result.add(rows.toArray(float[][]::new));
        }
        return result;
    }

    @Override
    public void close() {
        encoder.close();
    }
}
