package dev.diffrag.reader;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.diffrag.model.AttentionKind;
import dev.diffrag.answer.Passage;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Both shipped frozen encoders give one finite 384-vector per token, whatever else shares their onnxruntime run. */
class FrozenTokenFeaturesTest {

    private static final String SHORT = "The Eiffel Tower was built in 1889.";
    private static ReaderTokenizer tokenizer;

    @BeforeAll
    static void load() {
        tokenizer = new ReaderTokenizer();
    }

    @AfterAll
    static void close() {
        tokenizer.close();
    }

    private static String longText() {
        return "Paris is the capital and most populous city of France, on the Seine. ".repeat(30);
    }

    @ParameterizedTest
    @EnumSource(value = ReaderConfig.Input.class, names = {"MINILM_FEATURES", "BGE_SMALL_FEATURES"})
    void oneRowPerTokenIndependentOfTheBatch(ReaderConfig.Input input) {
        int[] shortIds = tokenizer.tokenize(SHORT).ids();
        int[] longIds = tokenizer.tokenize(longText()).ids();
        assertThat(longIds.length).isGreaterThan(FrozenTokenFeatures.WINDOW_TOKENS); // several windows
        try (FrozenTokenFeatures features = new FrozenTokenFeatures(input, 1)) {
            float[][] alone = features.features(List.of(shortIds)).get(0);
            List<float[][]> together = features.features(List.of(longIds, shortIds));

            assertThat(alone).hasNumberOfRows(shortIds.length);
            assertThat(together.get(0)).hasNumberOfRows(longIds.length);
            for (float[][] rows : List.of(alone, together.get(0))) {
                for (float[] row : rows) {
                    assertThat(row).hasSize(FrozenTokenFeatures.DIM);
                    for (float v : row) {
                        assertThat(Float.isFinite(v)).isTrue();
                    }
                }
            }
            assertClose(together.get(1), alone); // padding in a shared run must not leak into a shorter text
        }
    }

    @Test
    void aPrefixConditionsEveryWindowOfTheTextAndKeepsOneRowPerToken() {
        int[] question = tokenizer.tokenize("When was the Eiffel Tower built?").ids();
        int[] otherQuestion = tokenizer.tokenize("Which river runs through Paris?").ids();
        int[] passage = tokenizer.tokenize(SHORT).ids();
        int[] longPassage = tokenizer.tokenize(longText()).ids();
        try (FrozenTokenFeatures features = new FrozenTokenFeatures(ReaderConfig.Input.BGE_SMALL_JOINT_FEATURES, 1)) {
            float[][] alone = features.features(List.of(passage)).get(0);
            float[][] noPrefix = features.features(List.of(passage), List.of(new int[0])).get(0);
            float[][] read = features.features(List.of(passage), List.of(question)).get(0);
            List<float[][]> batched = features.features(List.of(longPassage, passage, passage),
                    List.of(question, question, otherQuestion));

            assertThat(noPrefix).isDeepEqualTo(alone);
            assertThat(read).hasNumberOfRows(passage.length);
            assertThat(batched.get(0)).hasNumberOfRows(longPassage.length);
            assertThat(Arrays.asList(batched.get(0))).doesNotContainNull();
            assertThat(read[0]).isNotEqualTo(alone[0]);                 // the question changes the passage's rows
            assertThat(batched.get(2)[0]).isNotEqualTo(read[0]);        // and another question changes them again
            assertClose(batched.get(1), read);                         // padding in a shared run does not leak
            // The long passage spans several shorter windows, each opening with the question.
            int perWindow = FrozenTokenFeatures.WINDOW_TOKENS - question.length - 1;
            float[][] secondWindowAlone = features.features(
                    List.of(Arrays.copyOfRange(longPassage, perWindow, Math.min(longPassage.length,
                            2 * perWindow))), List.of(question)).get(0);
            assertClose(new float[][] {batched.get(0)[perWindow]}, new float[][] {secondWindowAlone[0]});
            assertThatThrownBy(() -> features.features(List.of(passage),
                    List.of(new int[FrozenTokenFeatures.WINDOW_TOKENS - 10])))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("prefix");
        }
    }

    @ParameterizedTest
    @EnumSource(value = ReaderConfig.Input.class, names = {"BGE_SMALL_FEATURES", "BGE_SMALL_JOINT_FEATURES"})
    void aJointFeaturizerReadsEachPassageWithItsQuestion(ReaderConfig.Input input) {
        ReaderConfig config = ReaderConfig.of(AttentionKind.DIFF_V1, input, 32, 1, 16, 256);
        List<Passage> passages = List.of(new Passage("p1", SHORT));
        String when = "When was the Eiffel Tower built?";
        String where = "Where is the Eiffel Tower?";
        try (ReaderFeaturizer featurizer = new ReaderFeaturizer(config, 1L << 24, 1)) {
            featurizer.precompute(List.of(new ReaderFeaturizer.Texts(when, List.of(SHORT))));
            ReaderFeaturizer.Encoded first = featurizer.encode(when, passages);
            ReaderFeaturizer.Encoded second = featurizer.encode(where, passages); // not precomputed: computed here
            float[][] questionAlone;
            float[][] passageAfterQuestion;
            try (FrozenTokenFeatures features = new FrozenTokenFeatures(input, 1)) {
                questionAlone = features.features(List.of(featurizer.tokens(when).ids())).get(0);
                passageAfterQuestion = features.features(List.of(featurizer.tokens(SHORT).ids()),
                        List.of(featurizer.tokens(where).ids())).get(0);
            }

            assertClose(first.question(), questionAlone);
            if (input.joint()) {
                assertClose(second.passages().get(0), passageAfterQuestion);
                assertThat(second.passages().get(0)[0]).isNotEqualTo(first.passages().get(0)[0]);
            } else {
                assertThat(second.passages().get(0)).isSameAs(first.passages().get(0));
            }
        }
    }

    @Test
    void precomputingABatchKeepsItsAlreadyCachedTextsCachedForItsInputs() {
        ReaderConfig config = ReaderConfig.of(AttentionKind.DIFF_V1, ReaderConfig.Input.MINILM_FEATURES, 32, 1, 16, 256);
        String question = "When was it built?";
        String a = "The Eiffel Tower was built in 1889.";
        String b = "Gustave Eiffel's company designed and built the tower.";
        String c = "Paris is the capital and most populous city of France.";
        // Room for every text but one: adding b must push out c, which this batch does not read.
        long bound = bytes(question) + bytes(a) + bytes(b) + bytes(c) - 1;
        try (ReaderFeaturizer featurizer = new ReaderFeaturizer(config, bound, 1)) {
            featurizer.precompute(List.of(new ReaderFeaturizer.Texts(question, List.of(a))));
            ReaderFeaturizer.Encoded before = featurizer.encode(question, List.of(new Passage("a", a)));
            featurizer.precompute(List.of(new ReaderFeaturizer.Texts("Where is it?", List.of(c))));
            featurizer.precompute(List.of(new ReaderFeaturizer.Texts(question, List.of(a, b))));
            ReaderFeaturizer.Encoded after = featurizer.encode(question, List.of(new Passage("a", a),
                    new Passage("b", b)));
            // The same arrays: nothing this batch reads was dropped and computed again one text at a time.
            assertThat(after.question()).isSameAs(before.question());
            assertThat(after.passages().get(0)).isSameAs(before.passages().get(0));
        }
    }

    /** What a text weighs in the feature cache: its key and its features. */
    private static long bytes(String text) {
        return 2L * text.length() + 4L * FrozenTokenFeatures.DIM * tokenizer.tokenize(text).size();
    }

    @Test
    void theTwoEncodersAreDifferentModels() {
        int[] ids = tokenizer.tokenize(SHORT).ids();
        float[] miniLm;
        float[] bge;
        try (FrozenTokenFeatures features = new FrozenTokenFeatures(ReaderConfig.Input.MINILM_FEATURES, 1)) {
            miniLm = features.features(List.of(ids)).get(0)[0];
        }
        try (FrozenTokenFeatures features = new FrozenTokenFeatures(ReaderConfig.Input.BGE_SMALL_FEATURES, 1)) {
            bge = features.features(List.of(ids)).get(0)[0];
        }
        assertThat(bge).isNotEqualTo(miniLm);
    }

    @Test
    void readersWithDifferentFrozenEncodersCannotShareAFeaturizer() {
        ReaderConfig miniLm = ReaderConfig.of(AttentionKind.DIFF_V1, ReaderConfig.Input.MINILM_FEATURES, 32, 1, 16,
                128);
        ReaderConfig bge = ReaderConfig.of(AttentionKind.VANILLA, ReaderConfig.Input.BGE_SMALL_FEATURES, 32, 1, 16,
                128);
        ReaderConfig scratch = ReaderConfig.of(AttentionKind.VANILLA, ReaderConfig.Input.TOKEN_EMBEDDINGS, 32, 1, 16,
                128);
        assertThatThrownBy(() -> ReaderFeaturizer.sharedBy(List.of(miniLm, bge), 1L << 24, 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("BGE_SMALL_FEATURES");
        try (ReaderFeaturizer shared = ReaderFeaturizer.sharedBy(List.of(scratch, bge), 1L << 24, 1)) {
            assertThat(shared.input()).isEqualTo(ReaderConfig.Input.BGE_SMALL_FEATURES);
        }
    }

    @Test
    void readersWithOtherLayoutLimitsCannotShareAFeaturizer() {
        // The featurizer lays every input out with one sequence and question limit: a reader trained with
        // --max-length 128 would be calibrated on inputs of up to 256 positions, which it never reads when answering.
        ReaderConfig short128 = ReaderConfig.of(AttentionKind.DIFF_V1, ReaderConfig.Input.TOKEN_EMBEDDINGS, 32, 1, 16,
                128);
        ReaderConfig long256 = ReaderConfig.of(AttentionKind.VANILLA, ReaderConfig.Input.TOKEN_EMBEDDINGS, 32, 1, 16,
                256);
        assertThatThrownBy(() -> ReaderFeaturizer.sharedBy(List.of(long256, short128), 1L << 24, 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("128");
    }

    /** Same rows, equal within onnxruntime's float noise across batch shapes. */
    private static void assertClose(float[][] actual, float[][] expected) {
        assertThat(actual).hasNumberOfRows(expected.length);
        for (int t = 0; t < expected.length; t++) {
            for (int d = 0; d < FrozenTokenFeatures.DIM; d++) {
                assertThat(actual[t][d]).isCloseTo(expected[t][d], within(1e-4f));
            }
        }
    }
}
