package dev.diffrag.model;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.ParameterStore;
import org.junit.jupiter.api.Test;

/**
 * An inference pass whose score maps would be large frees each block's maps once the block's output exists
 * ({@link Attention#byQueryBlocks}), so it holds one block's maps at a time; smaller passes, and every pass that
 * autograd records, keep them until the caller's manager closes.
 */
class QueryBlockMemoryTest {

    @Test
    void onlyLargeInferencePassesFreeEachBlock() {
        long readerBatch = 8L * 8 * 4096 * 4096; // 8 default-reader inputs of 4,096 positions, 8 query heads (V2)
        long benchmarkLargest = 2L * 8 * 4096 * 4096; // the attention benchmark's 4,096 × 2 V2 row
        assertThat(Attention.freesEachBlock(false, readerBatch)).isTrue();
        assertThat(Attention.freesEachBlock(true, readerBatch)).as("backward needs the maps").isFalse();
        assertThat(Attention.freesEachBlock(false, benchmarkLargest)).isFalse();
        assertThat(Attention.freesEachBlock(false, Attention.FREE_BLOCKS_ABOVE_ELEMENTS)).isFalse();
        assertThat(Attention.freesEachBlock(false, Attention.FREE_BLOCKS_ABOVE_ELEMENTS + 1)).isTrue();
    }

    @Test
    void aLargeInferencePassLeavesNoBlockMapsWhileARecordedPassKeepsThem() {
        int heads = 2; // dModel 32, head dim 16, vanilla
        int large = 11_600; // heads · T² just above the threshold
        assertThat((long) heads * large * large).isGreaterThan(Attention.FREE_BLOCKS_ABOVE_ELEMENTS);
        int small = 3000;
        try (NDManager manager = NDManager.newBaseManager()) {
            DiffTransformer model = Fixtures.model(manager,
                    ModelConfig.of(AttentionKind.VANILLA, 32, 1, 16, false, Fixtures.VOCAB, large, false), 3);

            long inferenceBlock = heads * Attention.rowsPerBlock(1, heads, large) * (long) large;
            assertThat(largestArrayLeftByAPass(manager, model, large, false)).as("largest array left by inference")
                    .isLessThan(inferenceBlock / 2);
            long recordedBlock = heads * Attention.rowsPerBlock(1, heads, small) * (long) small;
            assertThat(Attention.rowsPerBlock(1, heads, small)).as("rows per block").isLessThan(small / 3);
            assertThat(largestArrayLeftByAPass(manager, model, small, true)).as("largest array left by a recorded pass")
                    .isGreaterThanOrEqualTo(recordedBlock / 2);
        }
    }

    /** Elements of the largest array that one pass over {@code length} tokens left attached to the model's manager. */
    private static long largestArrayLeftByAPass(NDManager manager, DiffTransformer model, int length,
            boolean recording) {
        boolean previous = JniUtils.isGradMode();
        JniUtils.setGradMode(recording);
        try (NDManager scope = manager.newSubManager()) {
            NDArray ids = Fixtures.ids(scope, Fixtures.tokens(4, 1, length));
            NDArray mask = Fixtures.mask(scope, Fixtures.real(length, length));
            model.encode(new ParameterStore(scope, false), ids, mask, false, null); // (1, T, D)
            // A manager's arrays include its sub-managers'.
            return manager.getManagedArrays().stream().mapToLong(a -> a.getShape().size()).max().orElse(0);
        } finally {
            JniUtils.setGradMode(previous);
        }
    }
}
