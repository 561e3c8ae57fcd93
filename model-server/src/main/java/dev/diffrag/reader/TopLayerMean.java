package dev.diffrag.reader;

import dev.diffrag.model.Devices;
import dev.diffrag.reader.pretrained.PretrainedBert;
import java.util.ArrayList;
import java.util.List;

/**
 * For an input with {@link ReaderConfig.Input#averagedLayers() averaged layers}: the mean of the pretrained encoder's
 * top hidden states per token, laid out like {@link FrozenTokenFeatures} (row i is token i; the [CLS] and [SEP] rows
 * of each window are dropped). onnxruntime's graph gives the last layer only, so the encoder runs on DJL
 * ({@link PretrainedBert}) over the windows {@link BelowTunedLayers#windowsOf} cuts.
 */
final class TopLayerMean implements PretrainedFeatures {

    private final PretrainedBert encoder;
    private final int averaged;

    TopLayerMean(ReaderConfig.Input input) {
        this.encoder = PretrainedBert.load(input.onnxResource(), Devices.pick());
        this.averaged = input.averagedLayers();
    }

    @Override
    public List<float[][]> features(List<int[]> tokenIds, List<int[]> prefixes) {
        if (prefixes.stream().anyMatch(p -> p.length > 0)) {
            throw new IllegalArgumentException("averaged layers read every text on its own (no prefix)");
        }
        List<float[][]> states = encoder.meanHiddenStates(BelowTunedLayers.windowsOf(tokenIds), encoder.layers(),
                averaged);
        List<float[][]> result = new ArrayList<>(tokenIds.size());
        int next = 0;
        for (int[] ids : tokenIds) {
            float[][] rows = new float[ids.length][];
            for (int k = 0; k < BelowTunedLayers.windows(ids.length); k++) {
                float[][] window = states.get(next++);
                System.arraycopy(window, 1, rows, k * FrozenTokenFeatures.WINDOW_TOKENS, window.length - 2);
            }
            result.add(rows);
        }
        return result;
    }

    @Override
    public void close() {
        encoder.close();
    }
}
