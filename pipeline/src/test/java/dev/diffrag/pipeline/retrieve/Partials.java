package dev.diffrag.pipeline.retrieve;

import dev.diffrag.connectors.records.QuestionRecord;
import dev.diffrag.pipeline.index.EmbeddedQuestion;
import dev.diffrag.pipeline.index.PartialRetrieval;
import dev.diffrag.pipeline.index.ScoredChunk;
import java.util.List;

/** Partial results for merge tests. */
final class Partials {

    static final long RECEIVED_MS = 123L;

    private Partials() {}

    static EmbeddedQuestion question(String id, int topK) {
        return new EmbeddedQuestion(new QuestionRecord("acme", id, "why?", topK, null), topK,
                ReciprocalRankFusion.rankWindow(topK), RECEIVED_MS, new float[] {1, 0});
    }

    static PartialRetrieval partial(
            EmbeddedQuestion question, int subtask, int parallelism, List<ScoredChunk> bm25, List<ScoredChunk> vector) {
        return new PartialRetrieval(question, subtask, parallelism, bm25, vector);
    }

    static ScoredChunk hit(String docId, double score) {
        return new ScoredChunk("acme/" + docId + "@1#0", docId, 1, 0, 4, "text", score);
    }
}
