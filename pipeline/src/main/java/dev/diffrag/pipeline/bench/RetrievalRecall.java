package dev.diffrag.pipeline.bench;

import dev.diffrag.pipeline.index.ScoredChunk;
import dev.diffrag.pipeline.retrieve.IndexConfig;
import dev.diffrag.pipeline.retrieve.RetrievedPassage;
import dev.diffrag.reader.eval.Xquad;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Function;

/**
 * Recall@5 of the job's three rankings — BM25, vector, and their reciprocal rank fusion — with the job's own chunker,
 * index and fusion code, outside Flink ({@link PassageIndex}): every XQuAD paragraph is a document, and a question is
 * a hit when a chunk of its own paragraph is among the top 5. XQuAD is evaluation data: nothing is tuned on it.
 */
final class RetrievalRecall {

    private static final int K = 5;

    record Result(int questions, double bm25, double vector, double hybrid) {}

    private RetrievalRecall() {}

    static Result measure(Path xquad, IndexConfig config) throws IOException {
        Xquad data = Xquad.read(xquad);
        try (PassageIndex index = new PassageIndex(data.paragraphs(), config)) {
            int bm25Hits = 0;
            int vectorHits = 0;
            int hybridHits = 0;
            for (Xquad.Question question : data.questions()) {
                String paragraphId = data.paragraphs().get(question.paragraph()).id();
                PassageIndex.Ranked ranked = index.search(question.question(), K);
                bm25Hits += hit(ranked.hits().bm25(), ScoredChunk::docId, paragraphId);
                vectorHits += hit(ranked.hits().vector(), ScoredChunk::docId, paragraphId);
                hybridHits += hit(ranked.fused(), RetrievedPassage::docId, paragraphId);
            }
            double n = data.questions().size();
            return new Result(data.questions().size(), bm25Hits / n, vectorHits / n, hybridHits / n);
        }
    }

    /** 1 when the question's own paragraph is among the first {@link #K} results, else 0. */
    private static <T> int hit(List<T> ranking, Function<T, String> docId, String paragraphId) {
        return ranking.stream().limit(K).map(docId).anyMatch(paragraphId::equals) ? 1 : 0;
    }
}
