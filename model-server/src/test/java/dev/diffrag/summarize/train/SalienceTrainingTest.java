package dev.diffrag.summarize.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

import dev.diffrag.model.AttentionKind;
import dev.diffrag.summarize.EmbeddedDocument;
import dev.diffrag.summarize.SalienceConfig;
import dev.diffrag.summarize.SelectionRule;
import dev.diffrag.summarize.SentenceFeatures;
import dev.diffrag.text.SentenceSplitter;
import org.junit.jupiter.api.Test;

class SalienceTrainingTest {

    private static final String TEXT = "The cat sat on the mat. The cat sat. Dogs bark.";
    private static final SalienceTraining.Article ARTICLE = new SalienceTraining.Article(
            new EmbeddedDocument(TEXT, SentenceSplitter.split(TEXT), new float[][] {{1}, {2}, {3}}),
            "the cat sat on the mat", "dogs bark");

    private static SalienceConfig config(int maxSentences, boolean features) {
        return SalienceConfig.of(AttentionKind.DIFF_V1, 16, 1, 8, maxSentences, 1, new SelectionRule(1, 0), features);
    }

    @Test
    void targetsBlendTheOracleWithTheSoftLabels() {
        float[] hard = SalienceTraining.example(ARTICLE, config(64, false), 0, 0).labels();
        float[] soft = SalienceTraining.example(ARTICLE, config(64, false), 1, 0).labels();
        float[] half = SalienceTraining.example(ARTICLE, config(64, false), 0.5, 0).labels();
        assertThat(hard).containsExactly(1f, 0f, 0f);
        assertThat(soft[0]).isEqualTo(1f);
        assertThat(soft[1]).isBetween(0.5f, 0.9f);
        for (int i = 0; i < 3; i++) {
            assertThat((double) half[i]).isCloseTo((hard[i] + soft[i]) / 2.0, offset(1e-6));
        }
    }

    @Test
    void aTeacherWeightBlendsInTheOracleLabelsOfTheTeachersSummary() {
        assertThat(SalienceTraining.example(ARTICLE, config(64, false), 0, 1).labels()).containsExactly(0f, 0f, 1f);
        assertThat(SalienceTraining.example(ARTICLE, config(64, false), 0, 0.25).labels())
                .containsExactly(0.75f, 0f, 0.25f);
        SalienceTraining.Article untaught = new SalienceTraining.Article(ARTICLE.document(), ARTICLE.reference(), null);
        assertThat(SalienceTraining.example(untaught, config(64, false), 0, 0).labels()).containsExactly(1f, 0f, 0f);
        assertThatThrownBy(() -> SalienceTraining.example(untaught, config(64, false), 0, 0.5))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("teacher");
    }

    @Test
    void examplesStopAtTheModelsReachAndCarryTheConfiguredInputs() {
        SalienceTraining.Example example = SalienceTraining.example(ARTICLE, config(2, false), 0, 0);
        assertThat(example.labels()).hasSize(2);
        assertThat(example.sentences()).hasNumberOfRows(2);
        assertThat(example.sentences()[1]).containsExactly(2f);
        SalienceTraining.Example withFeatures = SalienceTraining.example(ARTICLE, config(2, true), 0, 0);
        assertThat(withFeatures.sentences()[1]).hasSize(1 + SentenceFeatures.COUNT).startsWith(2f);
    }

    @Test
    void leadTakesTheFirstThreeSentences() {
        assertThat(SalienceTraining.lead(java.util.List.of(ARTICLE)).rouge1()).isCloseTo(
                dev.diffrag.summarize.eval.Rouge.score(TEXT, ARTICLE.reference()).rouge1(), offset(1e-12));
    }
}
