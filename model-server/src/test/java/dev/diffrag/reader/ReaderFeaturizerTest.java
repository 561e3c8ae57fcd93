package dev.diffrag.reader;

import static org.assertj.core.api.Assertions.assertThat;

import dev.diffrag.answer.Passage;
import dev.diffrag.model.AttentionKind;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ReaderFeaturizerTest {

    /** Zero features, counting the texts it computes. */
    private static final class CountingFeatures implements PretrainedFeatures {
        int texts;

        @Override
        public List<float[][]> features(List<int[]> tokenIds, List<int[]> prefixes) {
            texts += tokenIds.size();
            return tokenIds.stream().map(ids -> new float[ids.length][FrozenTokenFeatures.DIM]).toList();
        }

        @Override
        public void close() {}
    }

    @Test
    void aBatchLargerThanTheCacheIsEncodedFromTheFeaturesComputedForIt() {
        ReaderConfig config = ReaderConfig.of(AttentionKind.DIFF_V1, ReaderConfig.Input.MINILM_FEATURES, 32, 1, 16,
                512);
        String question = "When was the tower built?";
        List<Passage> passages = List.of(new Passage("a", "The Eiffel Tower was built in 1889 for the fair."),
                new Passage("b", "Gustave Eiffel's company designed and built the tower."),
                new Passage("c", "Paris is the capital and most populous city of France."));
        CountingFeatures counting = new CountingFeatures();
        // Room for about one passage's features: the batch's four texts cannot all stay cached.
        try (ReaderFeaturizer featurizer = new ReaderFeaturizer(config, counting, 20_000)) {
            Map<String, float[][]> features = featurizer.precompute(List.of(new ReaderFeaturizer.Texts(question,
                    passages.stream().map(Passage::text).toList())));
            featurizer.encode(question, passages, null, features);
        }
        assertThat(counting.texts).as("texts computed").isEqualTo(4);
    }

    /** Features whose every value tells how long a prefix the text was encoded after (plus one). */
    private static final class PrefixMarkingFeatures implements PretrainedFeatures {
        @Override
        public List<float[][]> features(List<int[]> tokenIds, List<int[]> prefixes) {
            List<float[][]> result = new ArrayList<>();
            for (int i = 0; i < tokenIds.size(); i++) {
                float[][] rows = new float[tokenIds.get(i).length][FrozenTokenFeatures.DIM];
                for (float[] row : rows) {
                    Arrays.fill(row, prefixes.get(i).length + 1);
                }
                result.add(rows);
            }
            return result;
        }

        @Override
        public void close() {}
    }

    @Test
    void aJointPassageNeverGetsTheCachedFeaturesOfAQuestionThatSpellsItsKey() {
        ReaderConfig config = ReaderConfig.of(AttentionKind.DIFF_V1, ReaderConfig.Input.BGE_SMALL_JOINT_FEATURES, 32,
                1, 16, 512);
        String question = "Who built the tower?";
        Passage passage = new Passage("p", "The tower was built by Gustave Eiffel's company.");
        // One client's question (a JSON "\u0000" is valid text) spells question + NUL + passage.
        String spelled = question + '\u0000' + passage.text();
        try (ReaderFeaturizer featurizer = new ReaderFeaturizer(config, new PrefixMarkingFeatures(), 1L << 24)) {
            List<Passage> other = List.of(new Passage("q", "Paris is the capital of France."));
            featurizer.encode(spelled, other, null, featurizer.precompute(List.of(
                    new ReaderFeaturizer.Texts(spelled, List.of(other.get(0).text())))));

            ReaderFeaturizer.Encoded encoded = featurizer.encode(question, List.of(passage), null,
                    featurizer.precompute(List.of(new ReaderFeaturizer.Texts(question, List.of(passage.text())))));

            float[][] features = encoded.passages().get(0);
            assertThat(features.length).as("rows of the passage's features")
                    .isEqualTo(featurizer.tokens(passage.text()).size());
            assertThat(features[0][0]).as("the passage is encoded after its question's tokens")
                    .isEqualTo(featurizer.tokens(question).size() + 1);
        }
    }
}
