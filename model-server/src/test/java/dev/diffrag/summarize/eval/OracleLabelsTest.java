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
}
