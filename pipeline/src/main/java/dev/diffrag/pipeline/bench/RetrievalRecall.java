package dev.diffrag.pipeline.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.diffrag.connectors.Json;
import dev.diffrag.connectors.records.QuestionRecord;
import dev.diffrag.pipeline.index.ChunkIndex;
import dev.diffrag.pipeline.index.EmbeddedQuestion;
import dev.diffrag.pipeline.index.PartialRetrieval;
import dev.diffrag.pipeline.index.ScoredChunk;
import dev.diffrag.pipeline.ingest.Chunk;
import dev.diffrag.pipeline.ingest.Chunker;
import dev.diffrag.pipeline.retrieve.IndexConfig;
import dev.diffrag.pipeline.retrieve.ReciprocalRankFusion;
import dev.diffrag.pipeline.retrieve.RetrievedPassage;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.model.embedding.onnx.allminilml6v2.AllMiniLmL6V2EmbeddingModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Recall@5 of the job's three rankings — BM25, vector, and their reciprocal rank fusion — with the job's own chunker,
 * index and fusion code, outside Flink: every XQuAD paragraph is a document, and a question is a hit when a chunk of
 * its own paragraph is among the top 5. XQuAD is evaluation data: nothing is tuned on it.
 */
final class RetrievalRecall {

    private static final String TENANT = "xquad";
    private static final int K = 5;

    record Result(int questions, double bm25, double vector, double hybrid) {}

    private record Question(String text, String paragraphId) {}

    private RetrievalRecall() {}

    static Result measure(Path xquad, IndexConfig config) throws IOException {
        JsonNode root = Json.MAPPER.readTree(Files.readAllBytes(xquad));
        EmbeddingModel model = new AllMiniLmL6V2EmbeddingModel();
        Chunker chunker = new Chunker(config.chunkSize(), config.chunkOverlap());
        List<Question> questions = new ArrayList<>();
        try (ChunkIndex index = new ChunkIndex()) {
            int paragraphs = 0;
            for (JsonNode article : root.get("data")) {
                for (JsonNode paragraph : article.get("paragraphs")) {
                    String id = "p" + paragraphs++;
                    index.replace(TENANT + "/" + id, TENANT, chunks(id, paragraph.get("context").asText(), chunker, model));
                    for (JsonNode qa : paragraph.get("qas")) {
                        questions.add(new Question(qa.get("question").asText(), id));
                    }
                }
            }
            int window = ReciprocalRankFusion.rankWindow(K);
            int bm25Hits = 0;
            int vectorHits = 0;
            int hybridHits = 0;
            for (Question question : questions) {
                float[] vector = model.embed(question.text()).content().vector();
                ChunkIndex.Hits hits = index.search(TENANT, question.text(), vector, window);
                bm25Hits += hit(hits.bm25(), ScoredChunk::docId, question);
                vectorHits += hit(hits.vector(), ScoredChunk::docId, question);
                EmbeddedQuestion embedded = new EmbeddedQuestion(
                        new QuestionRecord(TENANT, "q", question.text(), K, null), K, window, 0, vector);
                List<RetrievedPassage> fused = ReciprocalRankFusion.fuse(
                        List.of(new PartialRetrieval(embedded, 0, 1, hits.bm25(), hits.vector())), K, window);
                hybridHits += hit(fused, RetrievedPassage::docId, question);
            }
            double n = questions.size();
            return new Result(questions.size(), bm25Hits / n, vectorHits / n, hybridHits / n);
        }
    }

    private static List<Chunk> chunks(String id, String text, Chunker chunker, EmbeddingModel model) {
        List<Chunk> chunks = new ArrayList<>();
        List<TextSegment> segments = new ArrayList<>();
        for (Chunker.Span span : chunker.split(text)) {
            String chunkText = text.substring(span.start(), span.end());
            chunks.add(new Chunk(Chunk.id(TENANT, id, 0, chunks.size()), id, 0, span.start(), span.end(), chunkText, null));
            segments.add(TextSegment.from(chunkText));
        }
        var embeddings = model.embedAll(segments).content();
        List<Chunk> embedded = new ArrayList<>(chunks.size());
        for (int i = 0; i < chunks.size(); i++) {
            embedded.add(chunks.get(i).withEmbedding(embeddings.get(i).vector()));
        }
        return embedded;
    }

    /** 1 when the question's own paragraph is among the first {@link #K} results, else 0. */
    private static <T> int hit(List<T> ranking, Function<T, String> docId, Question question) {
        return ranking.stream().limit(K).map(docId).anyMatch(question.paragraphId()::equals) ? 1 : 0;
    }
}
