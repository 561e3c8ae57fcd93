package dev.diffrag.summarize;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class LeadSummarizerTest {

    private static final String TEXT = "One is first. Two comes next.  Three follows!\nFour is late. Five is last.";

    @Test
    void firstKSentencesAsVerbatimSpans() {
        LeadSummarizer lead = new LeadSummarizer(3);
        Summary summary = lead.summarize(List.of(new SummaryRequest("d", TEXT, 5))).get(0);

        assertThat(lead.name()).isEqualTo("lead-3");
        assertThat(summary.id()).isEqualTo("d");
        assertThat(summary.sentences()).extracting(Summary.Sentence::text)
                .containsExactly("One is first.", "Two comes next.", "Three follows!");
        summary.sentences().forEach(s -> assertThat(TEXT.substring(s.start(), s.end())).isEqualTo(s.text()));
    }

    @Test
    void aRequestMayAskForFewerAndShortDocumentsGiveWhatTheyHave() {
        LeadSummarizer lead = new LeadSummarizer(3);
        List<Summary> summaries = lead.summarize(List.of(new SummaryRequest("a", TEXT, 2),
                new SummaryRequest("b", "Only one.", 3), new SummaryRequest("c", "  ", 3)));
        assertThat(summaries.get(0).sentences()).hasSize(2);
        assertThat(summaries.get(1).sentences()).extracting(Summary.Sentence::text).containsExactly("Only one.");
        assertThat(summaries.get(2).sentences()).isEmpty();
    }

    @Test
    void theTokenBudgetOfTheConfigurationHoldsForLeadToo() {
        // One is first. (3) Two comes next. (3) Three follows! (2) Four is late. (3) Five is last. (3)
        Summarizer lead = Summarizers.named("lead-3", 5);
        Summary summary = lead.summarize(List.of(new SummaryRequest("d", TEXT, 3))).get(0);
        // in document order, a sentence that does not fit is skipped and a later, shorter one may still fit
        assertThat(summary.sentences()).extracting(Summary.Sentence::text)
                .containsExactly("One is first.", "Three follows!");
        assertThat(new LeadSummarizer(2, 100).summarize(List.of(new SummaryRequest("d", TEXT, 3))).get(0).sentences())
                .hasSize(2);
    }

    @Test
    void leadOneIsTheFirstSentence() {
        Summary summary = new LeadSummarizer(1).summarize(List.of(new SummaryRequest("d", TEXT, 3))).get(0);

        assertThat(summary.sentences()).extracting(Summary.Sentence::text).containsExactly("One is first.");
    }
}
