package dev.diffrag.model;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.ParameterStore;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Without a graph, attending in blocks of query rows ({@link Attention#byQueryBlocks}) frees each block's score maps
 * once its output exists, so a long inference pass holds one block's maps at a time; with a graph every block's
 * maps stay for backward. A reader input of 4,096 positions in a batch of 8 would otherwise hold gigabytes of maps.
 */
class QueryBlockMemoryTest {

    @ParameterizedTest
    @EnumSource(AttentionKind.class)
    void inferenceHoldsNoBlockMapsAfterThePassWhileARecordedPassKeepsThem(AttentionKind kind) {
        int length = 1100;
        int batch = 2;
        try (NDManager manager = NDManager.newBaseManager()) {
            ModelConfig config = ModelConfig.of(kind, 64, 2, 16, false, Fixtures.VOCAB, length, false);
            DiffTransformer model = Fixtures.model(manager, config, 3);
            long queryHeads = kind == AttentionKind.VANILLA ? 4 : 8; // dModel 64 / head dim 16; V1 and V2: 2h
            long rows = Attention.rowsPerBlock(batch, queryHeads, length);
            assertThat(rows).as("rows per block").isLessThan(length / 3);
            long oneBlockOfMaps = batch * queryHeads * rows * length;

            assertThat(largestArrayLeftByAPass(manager, model, false)).as("largest array left by an inference pass")
                    .isLessThan(oneBlockOfMaps / 2);
            assertThat(largestArrayLeftByAPass(manager, model, true)).as("largest array left by a recorded pass")
                    .isGreaterThanOrEqualTo(oneBlockOfMaps / 2);
        }
    }

    /** Elements of the largest array that one pass left attached to the model's manager or the pass's sub-manager. */
    private static long largestArrayLeftByAPass(NDManager manager, DiffTransformer model, boolean recording) {
        boolean previous = JniUtils.isGradMode();
        JniUtils.setGradMode(recording);
        try (NDManager scope = manager.newSubManager()) {
            NDArray ids = Fixtures.ids(scope, Fixtures.tokens(4, 2, 1100));
            NDArray mask = Fixtures.mask(scope, Fixtures.real(1100, 1100, 800));
            model.encode(new ParameterStore(scope, false), ids, mask, false, null); // (B, T, D)
            // A manager's arrays include its sub-managers'.
            return manager.getManagedArrays().stream().mapToLong(a -> a.getShape().size()).max().orElse(0);
        } finally {
            JniUtils.setGradMode(previous);
        }
    }
}
