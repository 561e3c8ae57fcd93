package dev.diffrag.reader;

import java.util.List;

/** Token features of a pretrained encoder: one array of 384-wide rows per text, what a reader input is built from. */
interface PretrainedFeatures extends AutoCloseable {

    /** The features of each token sequence, each read after its prefix (an empty prefix: on its own). */
    List<float[][]> features(List<int[]> tokenIds, List<int[]> prefixes);

    /**
     * The features for {@code input}: its frozen encoder's output, the mean of its top layers, or the layers below
     * its tuned ones.
     */
    static PretrainedFeatures of(ReaderConfig.Input input, int threads) {
        if (input.tunedLayers() > 0) {
            return new BelowTunedLayers(input);
        }
        return input.averagedLayers() > 1 ? new TopLayerMean(input) : new FrozenTokenFeatures(input, threads);
    }

    @Override
    void close();
}
