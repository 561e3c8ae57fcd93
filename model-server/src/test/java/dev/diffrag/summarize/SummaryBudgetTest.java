package dev.diffrag.summarize;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class SummaryBudgetTest {

    @Test
    void everyKindOfSpaceSeparatesTokens() {
        assertThat(SummaryBudget.tokens("  The cat\tsat.\n")).isEqualTo(3);
        assertThat(SummaryBudget.tokens(" \u00A0 ")).isZero();
        // Scraped news separates words with no-break spaces (314 in cnndm-250: "the former\u00A0senator\u00A0and")
        assertThat(SummaryBudget.tokens("the former\u00A0senator\u00A0and his wife")).isEqualTo(6);
        assertThat(SummaryBudget.tokens("ten\u2009thin\u202Fnarrow\u3000wide")).isEqualTo(4);
    }

    @Test
    void aBudgetCountsTheWordsJoinedByNoBreakSpaces() {
        String text = "One\u00A0is\u00A0first\u00A0of\u00A0all. Two is short.";
        Summary summary = new LeadSummarizer(2, 3).summarize(List.of(new SummaryRequest("d", text, 2))).get(0);
        assertThat(summary.sentences()).extracting(Summary.Sentence::text).containsExactly("Two is short.");
    }
}
