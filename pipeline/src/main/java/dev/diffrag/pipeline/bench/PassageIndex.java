package dev.diffrag.pipeline.bench;

import dev.diffrag.answer.Passage;
import dev.diffrag.connectors.records.QuestionRecord;
import dev.diffrag.pipeline.index.ChunkIndex;
import dev.diffrag.pipeline.index.EmbeddedQuestion;
import dev.diffrag.pipeline.index.PartialRetrieval;
import dev.diffrag.pipeline.ingest.Chunk;
import dev.diffrag.pipeline.ingest.Chunker;
import dev.diffrag.pipeline.retrieve.IndexConfig;
import dev.diffrag.pipeline.retrieve.ReciprocalRankFusion;
import dev.diffrag.pipeline.retrieve.RetrievedPassage;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.model.embedding.onnx.allminilml6v2.AllMiniLmL6V2EmbeddingModel;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The job's retriever outside Flink, over a fixed set of passages (each one a document of one tenant): the job's
 * chunker, MiniLM embedder, Lucene BM25 + HNSW index and reciprocal rank fusion, the same code the streaming job runs
 * per subtask. For offline evaluation, where a Kafka broker and a cluster would only add noise.
 */
final class PassageIndex implements AutoCloseable {

    private static final String TENANT = "eval";

    /** One question's rankings: the index's BM25 and vector lists and their fusion, best first. */
    record Ranked(ChunkIndex.Hits hits, List<RetrievedPassage> fused) {}

    private final EmbeddingModel embedder = new AllMiniLmL6V2EmbeddingModel();
    private final ChunkIndex index = new ChunkIndex();

    PassageIndex(List<Passage> passages, IndexConfig config) {
        Chunker chunker = new Chunker(config.chunkSize(), config.chunkOverlap());
        for (Passage passage : passages) {
            index.replace(TENANT + "/" + passage.id(), TENANT, chunks(passage, chunker));
        }
    }

    /** The top {@code k} chunks for the question, as the job ranks them. */
    Ranked search(String question, int k) {
        int window = ReciprocalRankFusion.rankWindow(k);
        float[] vector = embedder.embed(question).content().vector();
        ChunkIndex.Hits hits = index.search(TENANT, question, vector, window);
        EmbeddedQuestion embedded = new EmbeddedQuestion(
                new QuestionRecord(TENANT, "q", question, k, null), k, window, 0, vector);
        List<RetrievedPassage> fused = ReciprocalRankFusion.fuse(
                List.of(new PartialRetrieval(embedded, 0, 1, hits.bm25(), hits.vector())), k, window);
        return new Ranked(hits, fused);
    }

    private List<Chunk> chunks(Passage passage, Chunker chunker) {
        String text = passage.text();
        List<Chunk> chunks = new ArrayList<>();
        List<TextSegment> segments = new ArrayList<>();
        for (Chunker.Span span : chunker.split(text)) {
            String chunkText = text.substring(span.start(), span.end());
            chunks.add(new Chunk(Chunk.id(TENANT, passage.id(), 0, chunks.size()), passage.id(), 0, span.start(),
                    span.end(), chunkText, null));
            segments.add(TextSegment.from(chunkText));
        }
        var embeddings = embedder.embedAll(segments).content();
        List<Chunk> embedded = new ArrayList<>(chunks.size());
        for (int i = 0; i < chunks.size(); i++) {
            embedded.add(chunks.get(i).withEmbedding(embeddings.get(i).vector()));
        }
        return embedded;
    }

    @Override
    public void close() throws IOException {
        index.close();
    }
}
