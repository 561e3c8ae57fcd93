package dev.diffrag.pipeline.answer;

import dev.diffrag.answer.GroundedAnswer;
import dev.diffrag.connectors.records.AnswerRecord;
import dev.diffrag.connectors.records.Citation;
import dev.diffrag.connectors.records.QuestionRecord;
import dev.diffrag.connectors.records.RetrievedChunk;
import dev.diffrag.pipeline.retrieve.RetrievalResult;
import dev.diffrag.pipeline.retrieve.RetrievedPassage;
import java.util.List;

/** Turns an answerer's reply about chunks into an answer record about documents. */
public final class AnswerRecords {

    public static final String LOW_CONFIDENCE = "low-confidence";
    public static final String NO_PASSAGES = "no-passages";
    public static final String TIMEOUT = "timeout";
    public static final String ANSWERER_ERROR = "answerer-error";

    private AnswerRecords() {}

    /**
     * The record for {@code answer}: its citation, given in offsets into the cited chunk, becomes offsets into that
     * document version's original text ({@code chunk.start + span.start}), so that the citation's text equals
     * {@code document.substring(start, end)}.
     *
     * @throws IllegalStateException when the answer cites a passage that was not retrieved, or is not the span it cites
     */
    public static AnswerRecord of(RetrievalResult retrieval, GroundedAnswer answer, String model, long nowMs) {
        if (answer.abstained()) {
            return abstained(retrieval, LOW_CONFIDENCE, answer.confidence(), model, nowMs);
        }
        GroundedAnswer.Citation span = answer.citation();
        RetrievedPassage chunk = retrieval.passages().stream()
                .filter(passage -> passage.chunkId().equals(span.contextId()))
                .findFirst()
                .orElseThrow(() -> new IllegalStateException(
                        "answerer " + model + " cited '" + span.contextId() + "', which was not retrieved"));
        String quoted = chunk.text().substring(span.start(), span.end());
        if (!quoted.equals(answer.answer())) {
            // Only a remote answerer's JSON can get here; its answer would not be the quote its citation points at.
            throw new IllegalStateException("answerer " + model + " answered '" + answer.answer() + "' but cited '"
                    + quoted + "' of '" + span.contextId() + "'");
        }
        Citation citation = new Citation(
                chunk.docId(),
                chunk.docVersion(),
                chunk.chunkId(),
                chunk.start() + span.start(),
                chunk.start() + span.end(),
                quoted);
        QuestionRecord question = retrieval.question();
        return new AnswerRecord(
                question.tenant(),
                question.id(),
                question.question(),
                answer.answer(),
                false,
                answer.confidence(),
                List.of(citation),
                retrieved(retrieval),
                model,
                latencyMs(retrieval, nowMs),
                null);
    }

    /** An abstention decided by the job rather than the answerer, e.g. {@link #TIMEOUT}. */
    public static AnswerRecord abstained(
            RetrievalResult retrieval, String reason, double confidence, String model, long nowMs) {
        QuestionRecord question = retrieval.question();
        return new AnswerRecord(
                question.tenant(),
                question.id(),
                question.question(),
                null,
                true,
                confidence,
                List.of(),
                retrieved(retrieval),
                model,
                latencyMs(retrieval, nowMs),
                reason);
    }

    private static List<RetrievedChunk> retrieved(RetrievalResult retrieval) {
        return retrieval.passages().stream()
                .map(passage -> new RetrievedChunk(passage.chunkId(), passage.score()))
                .toList();
    }

    /**
     * From when the question was produced (its {@code ts}), or when the job read it if the producer gave none or a time
     * after that (a producer clock ahead of the job's would otherwise make latencies negative).
     */
    static long latencyMs(RetrievalResult retrieval, long nowMs) {
        Long producedMs = retrieval.question().ts();
        long receivedMs = retrieval.questionReceivedMs();
        return nowMs - (producedMs != null ? Math.min(producedMs, receivedMs) : receivedMs);
    }
}
