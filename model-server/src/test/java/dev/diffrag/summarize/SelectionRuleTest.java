package dev.diffrag.summarize;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.diffrag.text.SentenceSplitter;
import java.util.List;
import org.junit.jupiter.api.Test;

class SelectionRuleTest {

    private static final String TEXT = "First one here. Second one here. Third one here. Fourth one here.";
    private static final EmbeddedDocument DOCUMENT = new EmbeddedDocument(TEXT, SentenceSplitter.split(TEXT),
            new float[][] {{1, 0, 0, 0}, {0, 1, 0, 0}, {0, 0, 1, 0}, {0, 0, 0, 1}});

    @Test
    void withoutAPriorTheMostSalientSentencesWin() {
        double[] salience = {0.1, 0.2, 0.9, 0.8};
        assertThat(new SelectionRule(1, 0).select(DOCUMENT, salience, SummaryBudget.sentences(2)))
                .containsExactly(2, 3);
    }

    @Test
    void theLeadPriorPullsTheChoiceTowardsTheStart() {
        double[] salience = {0.5, 0.3, 0.6, 0.55};
        // β 0.3: 0.7·s + 0.3/(1+i) = 0.65, 0.36, 0.52, 0.46
        assertThat(new SelectionRule(1, 0.3).prior(0.5, 0)).isCloseTo(0.65, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(new SelectionRule(1, 0.3).select(DOCUMENT, salience, SummaryBudget.sentences(2)))
                .containsExactly(0, 2);
        // β 1 ignores the model: LEAD-k
        assertThat(new SelectionRule(1, 1).select(DOCUMENT, salience, SummaryBudget.sentences(3)))
                .containsExactly(0, 1, 2);
    }

    @Test
    void selectionUsesThePriorOfEachSentencesZeroBasedPosition() {
        double[] salience = {0.5, 0.7, 0, 0};
        // β 0.5: 0.25 + 0.5/1 = 0.75 beats 0.35 + 0.5/2 = 0.6; a position counted from 1 would turn it round
        assertThat(new SelectionRule(1, 0.5).select(DOCUMENT, salience, SummaryBudget.sentences(1))).containsExactly(0);
    }

    @Test
    void weightsOutsideTheUnitIntervalAreRejected() {
        assertThatThrownBy(() -> new SelectionRule(1.1, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new SelectionRule(0.9, -0.1)).isInstanceOf(IllegalArgumentException.class);
        assertThat(List.of(new SelectionRule(0.9, 0.2).mmrLambda())).containsExactly(0.9);
    }
}
