package dev.diffrag.summarize.eval;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class OracleLabelsTest {

    @Test
    void picksTheSentenceThatIsTheReferenceAndStopsWhenNothingHelps() {
        List<String> sentences = List.of("The cat sat.", "Dogs bark loudly.", "The cat sat on the mat.", "Birds fly.");
        assertThat(OracleLabels.greedy(sentences, "the cat sat on the mat", 3)).containsExactly(2);
    }

    @Test
    void combinesComplementarySentencesInDocumentOrder() {
        List<String> sentences = List.of("Birds fly south.", "Cats sleep.", "Dogs bark loudly.");
        // each alone: R1+R2 = 0.6 + 0.5; together 12/13 + 8/11: both, returned in document order
        assertThat(OracleLabels.greedy(sentences, "dogs bark loudly and birds fly south", 3)).containsExactly(0, 2);
        assertThat(OracleLabels.greedy(sentences, "dogs bark loudly and birds fly south", 1)).hasSize(1);
    }

    @Test
    void nothingOverlappingMeansNoLabel() {
        assertThat(OracleLabels.greedy(List.of("Completely unrelated."), "the cat sat", 3)).isEmpty();
    }

    @Test
    void softLabelsGradeEachSentenceAgainstTheBestOne() {
        List<String> sentences = List.of("The cat sat on the mat.", "The cat sat.", "Dogs bark.");
        float[] labels = OracleLabels.soft(sentences, "the cat sat on the mat");
        // alone: 2 + 2, then R1 2·3/9 = 2/3 and R2 2·2/7 = 4/7, then nothing
        assertThat(labels[0]).isEqualTo(1f);
        assertThat((double) labels[1]).isCloseTo((2.0 / 3 + 4.0 / 7) / 2, org.assertj.core.data.Offset.offset(1e-6));
        assertThat(labels[2]).isZero();
        assertThat(OracleLabels.soft(List.of("Unrelated."), "the cat")).containsExactly(0f);
    }
}
