package dev.diffrag.model;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Each attention kind, a full block and the whole model against the float64 reference of the formulas. */
class ReferenceEquivalenceTest {

    private static final double TOLERANCE = 1e-4;

    static List<Arguments> cases() {
        List<Arguments> cases = new ArrayList<>();
        int[][] shapes = {{1, 1}, {2, 5}, {3, 12}};
        for (AttentionKind kind : AttentionKind.values()) {
            for (boolean causal : new boolean[] {false, true}) {
                for (int[] shape : shapes) {
                    for (boolean padded : new boolean[] {false, true}) {
                        if (!padded || shape[1] > 1) {
                            cases.add(Arguments.of(kind, causal, shape[0], shape[1], padded));
                        }
                    }
                }
            }
        }
        return cases;
    }

    @ParameterizedTest(name = "{0} causal={1} B={2} T={3} padded={4}")
    @MethodSource("cases")
    void attentionBlockAndModelMatchTheReference(AttentionKind kind, boolean causal, int batch, int length,
                                                 boolean padded) {
        try (NDManager manager = NDManager.newBaseManager()) {
            DiffTransformer model = Fixtures.model(manager, Fixtures.config(kind, causal, true), 7);
            Reference reference = new Reference(model);
            boolean[][] real = realTokens(batch, length, padded);
            NDArray mask = padded ? Fixtures.mask(manager, real) : null;
            assertLayerMatches(manager, model, reference, causal, real, mask);

            int[][] tokens = Fixtures.tokens(13, batch, length);
            NDList inputs = mask == null
                    ? new NDList(Fixtures.ids(manager, tokens))
                    : new NDList(Fixtures.ids(manager, tokens), mask);
            NDArray logits = model.forward(new ParameterStore(manager, false), inputs, false).singletonOrThrow();
            for (int b = 0; b < batch; b++) {                                     // logits (B, T, vocab)
                assertThat(Fixtures.relativeError(Fixtures.item(logits, b),
                        reference.model(tokens[b], real[b]), real[b]))
                        .as("model logits, batch item %d", b).isLessThan(TOLERANCE);
            }
        }
    }

    /** Long inputs are attended in blocks of query rows (several here); the result must not move. */
    @ParameterizedTest(name = "{0} causal={1}")
    @MethodSource("dev.diffrag.model.Fixtures#kindsAndCausality")
    void attentionInBlocksOfQueryRowsMatchesTheReference(AttentionKind kind, boolean causal) {
        int length = 1101;
        int fewestQueryHeads = 4; // dModel 32 / head dim 8: vanilla's heads, V1's 2h; V2 has twice as many
        assertThat(Attention.rowsPerBlock(2, fewestQueryHeads, length)).as("rows per block").isLessThan(length / 3);
        try (NDManager manager = NDManager.newBaseManager()) {
            DiffTransformer model = Fixtures.model(manager, Fixtures.config(kind, causal, false), 7);
            boolean[][] real = Fixtures.real(length, new int[] {length, length - 300});
            assertLayerMatches(manager, model, new Reference(model), causal, real, Fixtures.mask(manager, real));
        }
    }

    /** The second layer's attention and whole block on Gaussian inputs, each batch item against the reference. */
    private static void assertLayerMatches(NDManager manager, DiffTransformer model, Reference reference,
                                           boolean causal, boolean[][] real, NDArray mask) {
        int batch = real.length;
        int length = real[0].length;
        ParameterStore ps = new ParameterStore(manager, false);
        double[][][] x = Fixtures.gaussian(11, batch, length, model.config().dModel());
        NDArray input = Fixtures.floats(manager, x);
        Attention.Context context = new Attention.Context(
                Rotary.forPositions(manager, 0, length, model.config().headDim(), model.config().ropeTheta()),
                AttentionBias.build(manager, length, 0, length, causal, mask), null, null);
        int layer = 1; // the second layer: λinit and names of a layer other than the first
        NDArray attention = model.attention(layer).forward(ps, input, context, false);
        NDArray block = model.block(layer).forward(ps, input, context, false);
        for (int b = 0; b < batch; b++) {
            assertThat(Fixtures.relativeError(Fixtures.item(attention, b),
                    reference.attention(layer, x[b], real[b]), real[b]))
                    .as("attention, batch item %d", b).isLessThan(TOLERANCE);
            assertThat(Fixtures.relativeError(Fixtures.item(block, b),
                    reference.block(layer, x[b], real[b]), real[b]))
                    .as("block, batch item %d", b).isLessThan(TOLERANCE);
        }
    }

    /** Batch item b has length − b·(length/3) real tokens when padded (at least one). */
    private static boolean[][] realTokens(int batch, int length, boolean padded) {
        int[] lengths = new int[batch];
        Random random = new Random(batch * 31L + length);
        for (int b = 0; b < batch; b++) {
            lengths[b] = padded ? Math.max(1, length - 1 - random.nextInt(Math.max(1, length - 1))) : length;
        }
        return Fixtures.real(length, lengths);
    }
}
