package dev.diffrag.pipeline.index;

import dev.diffrag.connectors.records.DocumentOp;
import dev.diffrag.connectors.records.QuestionRecord;
import dev.diffrag.pipeline.ingest.Chunk;
import dev.diffrag.pipeline.ingest.Chunker;
import dev.diffrag.pipeline.ingest.DocumentChange;
import dev.diffrag.pipeline.ingest.EmbedChunks;
import dev.diffrag.pipeline.ingest.ValidQuestion;
import dev.diffrag.pipeline.retrieve.EmbedQuestion;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.functions.DefaultOpenContext;

/** Document changes and questions embedded by the job's own functions, with the real all-MiniLM-L6-v2 model. */
final class RealEmbeddings {

    private static final Chunker CHUNKER = new Chunker(200, 40);
    private static final EmbedChunks EMBED_CHUNKS = new EmbedChunks();
    private static final EmbedQuestion EMBED_QUESTION = new EmbedQuestion();

    static {
        EMBED_CHUNKS.open(DefaultOpenContext.INSTANCE);
        EMBED_QUESTION.open(DefaultOpenContext.INSTANCE);
    }

    private RealEmbeddings() {}

    static DocumentChange upsert(String tenant, String docId, long version, String text) {
        List<Chunk> chunks = new ArrayList<>();
        for (Chunker.Span span : CHUNKER.split(text)) {
            chunks.add(new Chunk(Chunk.id(tenant, docId, version, chunks.size()), docId, version, span.start(),
                    span.end(), text.substring(span.start(), span.end()), null));
        }
        return EMBED_CHUNKS.map(new DocumentChange(tenant, docId, version, DocumentOp.UPSERT, chunks, 0L));
    }

    static DocumentChange delete(String tenant, String docId, long version) {
        return new DocumentChange(tenant, docId, version, DocumentOp.DELETE, List.of(), 0L);
    }

    static EmbeddedQuestion question(String tenant, String id, String text) {
        return EMBED_QUESTION.map(new ValidQuestion(new QuestionRecord(tenant, id, text, null, null), 5, 0L));
    }
}
