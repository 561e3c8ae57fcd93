package dev.diffrag.pipeline.summarize;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.diffrag.connectors.records.SummaryRecord;
import dev.diffrag.summarize.LeadSummarizer;
import dev.diffrag.summarize.Summary;
import dev.diffrag.summarize.SummaryRequest;
import java.util.List;
import org.junit.jupiter.api.Test;

class DigestTextTest {

    private static final String A = "Intro words. The bridge opened today. More text.";
    private static final String B = "Rain is forecast. Schools close early";

    private static DigestCandidate candidate(String docId, long version, String text, int... sentenceStarts) {
        List<SummaryRecord.Sentence> sentences = new java.util.ArrayList<>();
        for (int i = 0; i < sentenceStarts.length; i += 2) {
            int start = sentenceStarts[i];
            int end = sentenceStarts[i + 1];
            sentences.add(new SummaryRecord.Sentence(text.substring(start, end), start, end, null, null));
        }
        return new DigestCandidate("acme", null, docId, version, false, sentences, 0);
    }

    @Test
    void everyChosenSentenceMapsBackToItsDocumentsOwnOffsets() {
        DigestCandidate a = candidate("a", 3, A, 13, 37);
        DigestCandidate b = candidate("b", 8, B, 0, 17, 18, 37);
        DigestText digest = new DigestText(DigestText.candidates(List.of(a, b)));
        assertThat(digest.text()).isEqualTo("The bridge opened today.\u2029Rain is forecast.\u2029Schools close early");

        // a real summarizer over the combined text: the line breaks keep every choice inside one line
        Summary chosen = new LeadSummarizer(3).summarize(List.of(new SummaryRequest("d", digest.text(), 3))).get(0);
        List<SummaryRecord.Sentence> cited = chosen.sentences().stream().map(digest::cite).toList();

        assertThat(cited).extracting(SummaryRecord.Sentence::docId).containsExactly("a", "b", "b");
        assertThat(cited).extracting(SummaryRecord.Sentence::docVersion).containsExactly(3L, 8L, 8L);
        for (SummaryRecord.Sentence sentence : cited) {
            String document = sentence.docId().equals("a") ? A : B;
            assertThat(document.substring(sentence.start(), sentence.end())).isEqualTo(sentence.text());
        }
    }

    @Test
    void aCandidateWithoutFinalPunctuationDoesNotRunIntoTheNextDocument() {
        String a1 = "Acme opened a plant in Lyon";
        String a2 = "Acme shares rose 4 percent. Analysts were surprised.";
        DigestText digest = new DigestText(DigestText.candidates(
                List.of(candidate("a1", 1, a1, 0, 27), candidate("a2", 5, a2, 0, 27, 28, 52))));

        // the real splitter (BreakIterator, via lead-3) sees three sentences, one per line; with '\n' it saw two
        Summary chosen = new LeadSummarizer(3).summarize(List.of(new SummaryRequest("d", digest.text(), 3))).get(0);
        List<SummaryRecord.Sentence> cited = chosen.sentences().stream().map(digest::cite).toList();

        assertThat(cited).extracting(SummaryRecord.Sentence::text)
                .containsExactly(a1, "Acme shares rose 4 percent.", "Analysts were surprised.");
        assertThat(cited).extracting(SummaryRecord.Sentence::docId).containsExactly("a1", "a2", "a2");
        assertThat(cited.get(2)).extracting(SummaryRecord.Sentence::start, SummaryRecord.Sentence::end)
                .containsExactly(28, 52);
    }

    @Test
    void aSpanWithinALineMapsToItsOwnOffsetsInTheDocument() {
        // a summarizer may choose, or trim a sentence to, part of a candidate line
        DigestText digest = new DigestText(
                DigestText.candidates(List.of(candidate("a", 3, A, 13, 37), candidate("b", 8, B, 0, 17))));
        int at = digest.text().indexOf("is forecast");

        SummaryRecord.Sentence cited = digest.cite(new Summary.Sentence("is forecast", at, at + 11));

        assertThat(cited.docId()).isEqualTo("b");
        assertThat(B.substring(cited.start(), cited.end())).isEqualTo("is forecast");
    }

    @Test
    void aSpanAcrossTwoLinesIsRejected() {
        DigestText digest = new DigestText(
                DigestText.candidates(List.of(candidate("a", 3, A, 13, 37), candidate("b", 8, B, 0, 17))));
        assertThatThrownBy(() -> digest.cite(new Summary.Sentence(digest.text().substring(20, 30), 20, 30)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("crosses a line");
    }

    @Test
    void aSpanWhoseTextIsNotTheDigestTextAtItsOffsetsIsRejected() {
        // e.g. a model server's reply counting offsets in another unit: the cited text would not be the document's
        DigestText digest = new DigestText(
                DigestText.candidates(List.of(candidate("a", 3, A, 13, 37), candidate("b", 8, B, 0, 17))));
        int at = digest.text().indexOf("is forecast");

        assertThatThrownBy(() -> digest.cite(new Summary.Sentence("Rain is", at, at + 7)))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
