package dev.diffrag.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

class CausalAndPaddingTest {

    @ParameterizedTest
    @EnumSource(AttentionKind.class)
    void changingFutureTokensNeverChangesEarlierOutputs(AttentionKind kind) {
        try (NDManager manager = NDManager.newBaseManager()) {
            DiffTransformer model = Fixtures.model(manager, Fixtures.config(kind, true, true), 17);
            ParameterStore ps = new ParameterStore(manager, false);
            int length = 12;
            int[][] tokens = Fixtures.tokens(5, 2, length);
            int[][] changed = Fixtures.tokens(6, 2, length);
            int cut = 7;
            for (int b = 0; b < 2; b++) {
                System.arraycopy(tokens[b], 0, changed[b], 0, cut);
            }
            NDArray original = model.forward(ps, new NDList(Fixtures.ids(manager, tokens)), false).head();
            NDArray altered = model.forward(ps, new NDList(Fixtures.ids(manager, changed)), false).head();

            boolean[] before = new boolean[length];
            boolean[] after = new boolean[length];
            for (int t = 0; t < length; t++) {
                before[t] = t < cut;
                after[t] = t >= cut;
            }
            for (int b = 0; b < 2; b++) {
                double[][] x = Fixtures.item(original, b);
                double[][] y = Fixtures.item(altered, b);
                assertThat(Fixtures.relativeError(y, x, before)).isLessThan(1e-6);
                assertThat(Fixtures.relativeError(y, x, after)).as("the future did change").isGreaterThan(1e-2);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(AttentionKind.class)
    void bidirectionalModelsDoSeeTheFuture(AttentionKind kind) {
        try (NDManager manager = NDManager.newBaseManager()) {
            DiffTransformer model = Fixtures.model(manager, Fixtures.config(kind, false, true), 17);
            ParameterStore ps = new ParameterStore(manager, false);
            int[][] tokens = Fixtures.tokens(5, 1, 8);
            int[][] changed = {tokens[0].clone()};
            changed[0][7] = (changed[0][7] + 1) % Fixtures.VOCAB;
            double[][] x = Fixtures.item(model.forward(ps, new NDList(Fixtures.ids(manager, tokens)), false).head(), 0);
            double[][] y = Fixtures.item(model.forward(ps, new NDList(Fixtures.ids(manager, changed)), false).head(), 0);
            assertThat(Fixtures.relativeError(y, x, new boolean[] {true, false, false, false, false, false, false, false}))
                    .isGreaterThan(1e-4);
        }
    }

    static List<Arguments> decodingCases() {
        List<Arguments> cases = new ArrayList<>();
        for (AttentionKind kind : AttentionKind.values()) {
            cases.add(Arguments.of(kind, new int[] {5, 1, 1, 3, 1}));
            // chunks longer than a block of query rows: blocks read keys only up to their last query, after a cache
            cases.add(Arguments.of(kind, new int[] {600, 1, 399}));
        }
        return cases;
    }

    /**
     * Prefill, decode single tokens and chunks (5, 1, 1, 3, 1 tokens; or 600, 1, 399): the concatenated step outputs
     * equal the full causal forward pass. Item 1 is left-padded by 2, so the cache's key mask is exercised too.
     */
    @ParameterizedTest(name = "{0} chunks {1}")
    @MethodSource("decodingCases")
    void incrementalDecodingWithTheKvCacheEqualsTheFullForwardPass(AttentionKind kind, int[] chunks) {
        try (NDManager manager = NDManager.newBaseManager()) {
            int length = Arrays.stream(chunks).sum();
            ModelConfig config = ModelConfig.of(kind, 32, 2, 8, true, Fixtures.VOCAB, Math.max(64, length), true);
            DiffTransformer model = Fixtures.model(manager, config, 23);
            ParameterStore ps = new ParameterStore(manager, false);
            int[][] tokens = Fixtures.tokens(9, 2, length);
            boolean[][] real = Fixtures.real(length, length, length);
            real[1][0] = false;
            real[1][1] = false;
            NDArray ids = Fixtures.ids(manager, tokens);
            NDArray mask = Fixtures.mask(manager, real);
            NDArray full = model.forward(ps, new NDList(ids, mask), false).head(); // (B, T, vocab)

            List<NDArray> steps = new ArrayList<>();
            try (KvCache cache = model.newCache(manager)) {
                int position = 0;
                for (int size : chunks) {
                    try (NDManager step = manager.newSubManager()) {
                        String range = ":, " + position + ":" + (position + size);
                        NDArray out = model.forwardStep(ps, ids.get(range).duplicate(), mask.get(range).duplicate(),
                                cache);
                        out.attach(manager);
                        steps.add(out);
                    }
                    position += size;
                }
                assertThat(cache.length()).isEqualTo(length);
            }
            NDArray incremental = NDArrays.concat(new NDList(steps), 1);
            for (int b = 0; b < 2; b++) {
                assertThat(Fixtures.relativeError(Fixtures.item(incremental, b), Fixtures.item(full, b), real[b]))
                        .as("batch item %d", b).isLessThan(1e-4);
            }
        }
    }

    /**
     * A step that fails (here a token id outside the vocabulary) must leave the cache as it was: it had already
     * extended the key mask, so every later step failed on a mask longer than the keys.
     */
    @ParameterizedTest
    @EnumSource(AttentionKind.class)
    void aFailedStepLeavesTheCacheAsItWas(AttentionKind kind) {
        try (NDManager manager = NDManager.newBaseManager()) {
            DiffTransformer model = Fixtures.model(manager, Fixtures.config(kind, true, true), 23);
            ParameterStore ps = new ParameterStore(manager, false);
            int[][] tokens = Fixtures.tokens(9, 2, 6);
            boolean[][] real = Fixtures.real(6, 6, 6);
            real[1][0] = false;
            NDArray ids = Fixtures.ids(manager, tokens);
            NDArray mask = Fixtures.mask(manager, real);
            NDArray full = model.forward(ps, new NDList(ids, mask), false).head();
            try (KvCache cache = model.newCache(manager)) {
                model.forwardStep(ps, ids.get(":, 0:4"), mask.get(":, 0:4"), cache);
                NDArray bad = manager.create(new int[][] {{1, Fixtures.VOCAB}, {2, 3}});
                assertThatThrownBy(() -> model.forwardStep(ps, bad, mask.get(":, 4:6"), cache));
                assertThat(cache.length()).isEqualTo(4);
                NDArray rest = model.forwardStep(ps, ids.get(":, 4:6"), mask.get(":, 4:6"), cache);
                for (int b = 0; b < 2; b++) {
                    double[][] expected = Arrays.copyOfRange(Fixtures.item(full, b), 4, 6);
                    assertThat(Fixtures.relativeError(Fixtures.item(rest, b), expected, new boolean[] {true, true}))
                            .as("batch item %d", b).isLessThan(1e-4);
                }
            }
        }
    }

    /**
     * No positions (T = 0) or no sequences (B = 0) give an empty output, also as a first decoding step: sizing the
     * blocks of query rows divided by B·heads·S, so each threw ArithmeticException '/ by zero'.
     */
    @ParameterizedTest
    @MethodSource("dev.diffrag.model.Fixtures#kindsAndCausality")
    void anEmptySequenceOrBatchGivesAnEmptyOutput(AttentionKind kind, boolean causal) {
        try (NDManager manager = NDManager.newBaseManager()) {
            DiffTransformer model = Fixtures.model(manager, Fixtures.config(kind, causal, true), 17);
            ParameterStore ps = new ParameterStore(manager, false);
            for (Shape shape : new Shape[] {new Shape(2, 0), new Shape(0, 5)}) {
                NDArray ids = manager.zeros(shape, DataType.INT32);
                assertThat(model.forward(ps, new NDList(ids, ids.duplicate()), false).head().getShape())
                        .isEqualTo(new Shape(shape.get(0), shape.get(1), Fixtures.VOCAB));
            }
            if (causal) {
                try (KvCache cache = model.newCache(manager)) {
                    NDArray none = model.forwardStep(ps, manager.zeros(new Shape(1, 0), DataType.INT32), null, cache);
                    assertThat(none.getShape()).isEqualTo(new Shape(1, 0, Fixtures.VOCAB));
                    assertThat(cache.length()).isZero();
                }
            }
        }
    }

    /**
     * Decoding keeps on the cache's manager only its keys and values per layer and its key mask. What a step derived
     * from them (the transposed keys, the mask's float bias) was made there too and stayed until the cache closed,
     * and the transposed keys, views of keys the next step replaces, kept every superseded key tensor alive:
     * memory that grew with the square of the decoded length.
     */
    @ParameterizedTest
    @EnumSource(AttentionKind.class)
    void decodingLeavesOnlyItsKeysValuesAndMaskOnTheCache(AttentionKind kind) {
        try (NDManager manager = NDManager.newBaseManager()) {
            ModelConfig config = Fixtures.config(kind, true, true);
            DiffTransformer model = Fixtures.model(manager, config, 23);
            ParameterStore ps = new ParameterStore(manager, false);
            try (NDManager owner = manager.newSubManager(); KvCache cache = model.newCache(owner)) {
                for (int i = 0; i < 10; i++) {
                    try (NDManager step = manager.newSubManager()) {
                        NDArray ids = step.create(new int[][] {{1 + i}, {2 + i}});
                        NDArray mask = step.create(new int[][] {{1}, {i < 2 ? 0 : 1}}); // item 1 left-padded
                        model.forwardStep(ps, ids, mask, cache);
                    }
                }
                assertThat(owner.getManagedArrays().stream().map(a -> a.getShape().toString()).toList())
                        .as("arrays on the cache after 10 steps").hasSize(2 * config.layers() + 1);
            }
        }
    }

    /** Each sequence alone (no padding) against the same sequence inside a right-padded batch. */
    @ParameterizedTest
    @EnumSource(AttentionKind.class)
    void outputsAtRealPositionsDoNotChangeWhenPaddingIsAdded(AttentionKind kind) {
        for (boolean causal : new boolean[] {false, true}) {
            try (NDManager manager = NDManager.newBaseManager()) {
                DiffTransformer model = Fixtures.model(manager, Fixtures.config(kind, causal, true), 29);
                ParameterStore ps = new ParameterStore(manager, false);
                int length = 10;
                int[] lengths = {10, 4, 7};
                int[][] tokens = Fixtures.tokens(31, lengths.length, length);
                boolean[][] real = Fixtures.real(length, lengths);
                NDArray batch = model.forward(ps, new NDList(Fixtures.ids(manager, tokens),
                        Fixtures.mask(manager, real)), false).head();
                for (int b = 0; b < lengths.length; b++) {
                    int[][] alone = {Arrays.copyOf(tokens[b], lengths[b])};
                    double[][] expected = Fixtures.item(
                            model.forward(ps, new NDList(Fixtures.ids(manager, alone)), false).head(), 0);
                    double[][] actual = Arrays.copyOf(Fixtures.item(batch, b), lengths[b]);
                    boolean[] all = new boolean[lengths[b]];
                    java.util.Arrays.fill(all, true);
                    assertThat(Fixtures.relativeError(actual, expected, all))
                            .as("causal=%s batch item %d", causal, b).isLessThan(1e-5);
                }
            }
        }
    }
}
