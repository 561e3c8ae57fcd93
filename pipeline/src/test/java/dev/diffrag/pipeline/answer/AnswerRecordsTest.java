package dev.diffrag.pipeline.answer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.diffrag.answer.GroundedAnswer;
import dev.diffrag.answer.Passage;
import dev.diffrag.connectors.Json;
import dev.diffrag.connectors.records.AnswerRecord;
import dev.diffrag.connectors.records.Citation;
import dev.diffrag.connectors.records.QuestionRecord;
import dev.diffrag.connectors.records.RetrievedChunk;
import dev.diffrag.pipeline.retrieve.RetrievalResult;
import dev.diffrag.pipeline.retrieve.RetrievedPassage;
import java.util.List;
import org.junit.jupiter.api.Test;

class AnswerRecordsTest {

    private static final String DOCUMENT = "Krill are small crustaceans. Blue whales feed almost exclusively on krill. "
            + "A blue whale can eat four tonnes of krill a day.";
    // The second chunk starts in the middle of the document, as it does after chunking with overlap.
    private static final int CHUNK_START = DOCUMENT.indexOf("Blue whales");
    private static final RetrievedPassage OTHER = new RetrievedPassage("t/other#1/0", "other", 1, 0, 5, "Other", 0.2);
    private static final RetrievedPassage CHUNK = new RetrievedPassage(
            "t/whales#3/1", "whales", 3, CHUNK_START, DOCUMENT.length(), DOCUMENT.substring(CHUNK_START), 0.9);
    private static final RetrievalResult RETRIEVAL = new RetrievalResult(
            new QuestionRecord("t", "q1", "What do blue whales eat?", null, 1_000L), List.of(OTHER, CHUNK), 1_500L);

    @Test
    void mapsTheChunkCitationToOffsetsInTheOriginalDocument() {
        Passage passage = new Passage(CHUNK.chunkId(), CHUNK.text());
        int spanStart = CHUNK.text().indexOf("Blue whales feed");
        int spanEnd = CHUNK.text().indexOf('.', spanStart) + 1;
        GroundedAnswer answer = GroundedAnswer.span(passage, spanStart, spanEnd, 0.8);

        AnswerRecord record = AnswerRecords.of(RETRIEVAL, answer, "baseline-sentence", 1_250L);

        Citation citation = record.citations().get(0);
        assertThat(citation.docId()).isEqualTo("whales");
        assertThat(citation.docVersion()).isEqualTo(3);
        assertThat(citation.chunkId()).isEqualTo("t/whales#3/1");
        assertThat(citation.start()).isEqualTo(CHUNK_START + spanStart);
        assertThat(citation.text())
                .isEqualTo(DOCUMENT.substring(citation.start(), citation.end()))
                .isEqualTo("Blue whales feed almost exclusively on krill.")
                .isEqualTo(record.answer());
        assertThat(record.abstained()).isFalse();
        assertThat(record.reason()).isNull();
        assertThat(record.confidence()).isEqualTo(0.8);
        assertThat(record.retrieved()).containsExactly(
                new RetrievedChunk("t/other#1/0", 0.2), new RetrievedChunk("t/whales#3/1", 0.9));
        assertThat(record.model()).isEqualTo("baseline-sentence");
        assertThat(record.latencyMs()).as("from the question's producer timestamp").isEqualTo(250);
        assertThat(List.of(record.tenant(), record.id(), record.question()))
                .containsExactly("t", "q1", "What do blue whales eat?");
    }

    @Test
    void refusesAnAnswerThatIsNotTheSpanItCites() {
        // A remote answerer's JSON is not bound to answer with exactly the span it cites.
        int spanStart = CHUNK.text().indexOf("Blue whales feed");
        int spanEnd = CHUNK.text().indexOf('.', spanStart) + 1;
        GroundedAnswer answer = new GroundedAnswer(
                "Krill.", false, 0.7, new GroundedAnswer.Citation(CHUNK.chunkId(), spanStart, spanEnd));
        GroundedAnswer noAnswer = new GroundedAnswer(
                null, false, 0.7, new GroundedAnswer.Citation(CHUNK.chunkId(), spanStart, spanEnd));

        assertThatThrownBy(() -> AnswerRecords.of(RETRIEVAL, answer, "remote", 1_250L))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("Krill.").hasMessageContaining("Blue whales feed almost exclusively on krill.");
        assertThatThrownBy(() -> AnswerRecords.of(RETRIEVAL, noAnswer, "remote", 1_250L))
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void anAnswererAbstentionIsLowConfidenceWithoutCitations() {
        AnswerRecord record = AnswerRecords.of(RETRIEVAL, GroundedAnswer.abstain(0.1), "baseline-sentence", 2_000L);

        assertThat(record.abstained()).isTrue();
        assertThat(record.answer()).isNull();
        assertThat(record.citations()).isEmpty();
        assertThat(record.reason()).isEqualTo(AnswerRecords.LOW_CONFIDENCE);
        assertThat(record.confidence()).isEqualTo(0.1);
        assertThat(record.retrieved()).hasSize(2);
    }

    @Test
    void latencyFallsBackToWhenTheJobReadTheQuestion() {
        RetrievalResult withoutTs = new RetrievalResult(
                new QuestionRecord("t", "q2", "?", null, null), List.of(), 1_500L);

        assertThat(AnswerRecords.abstained(withoutTs, AnswerRecords.TIMEOUT, 0, "m", 1_600L).latencyMs())
                .isEqualTo(100);
    }

    @Test
    void aQuestionStampedAheadOfTheJobsClockCountsFromWhenTheJobReadIt() {
        // a producer whose clock runs 10 s fast: read at 1,500 by the job's clock, answered at 1,600
        RetrievalResult ahead = new RetrievalResult(
                new QuestionRecord("t", "q3", "?", null, 11_500L), List.of(), 1_500L);

        assertThat(AnswerRecords.abstained(ahead, AnswerRecords.NO_PASSAGES, 0, "m", 1_600L).latencyMs())
                .isEqualTo(100);
    }

    @Test
    void refusesACitationOfAPassageThatWasNotRetrieved() {
        GroundedAnswer answer = GroundedAnswer.span(new Passage("t/ghost#1/0", "Boo."), 0, 4, 0.9);

        assertThatThrownBy(() -> AnswerRecords.of(RETRIEVAL, answer, "m", 0))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("t/ghost#1/0");
    }

    @Test
    void reasonIsOmittedFromJsonWhenAnsweredAndReadBackWhenAbstained() throws Exception {
        Passage passage = new Passage(CHUNK.chunkId(), CHUNK.text());
        AnswerRecord answered = AnswerRecords.of(RETRIEVAL, GroundedAnswer.span(passage, 0, 11, 0.8), "m", 0);
        AnswerRecord abstained = AnswerRecords.abstained(RETRIEVAL, AnswerRecords.TIMEOUT, 0, "m", 0);

        assertThat(Json.toString(answered)).doesNotContain("reason");
        assertThat(Json.read(Json.toBytes(answered), AnswerRecord.class)).isEqualTo(answered);
        assertThat(Json.read(Json.toBytes(abstained), AnswerRecord.class).reason()).isEqualTo("timeout");
    }
}
