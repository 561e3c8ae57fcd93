package dev.diffrag.reader;

import static org.assertj.core.api.Assertions.assertThat;

import dev.diffrag.answer.Passage;
import dev.diffrag.model.AttentionKind;
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
}
