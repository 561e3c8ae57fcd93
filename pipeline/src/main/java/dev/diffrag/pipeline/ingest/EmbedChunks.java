package dev.diffrag.pipeline.ingest;

import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.model.embedding.onnx.allminilml6v2.AllMiniLmL6V2EmbeddingModel;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;

/** Embeds every chunk of an upsert with all-MiniLM-L6-v2, one batch per document; deletes pass through. */
public final class EmbedChunks extends RichMapFunction<DocumentChange, DocumentChange> {

    private transient EmbeddingModel model;

    @Override
    public void open(OpenContext openContext) {
        model = new AllMiniLmL6V2EmbeddingModel();
    }

    @Override
    public DocumentChange map(DocumentChange change) {
        if (change.chunks().isEmpty()) {
            return change;
        }
        List<TextSegment> segments = new ArrayList<>(change.chunks().size());
        for (Chunk chunk : change.chunks()) {
            segments.add(TextSegment.from(chunk.text()));
        }
        List<Embedding> embeddings = model.embedAll(segments).content();
        List<Chunk> embedded = new ArrayList<>(segments.size());
        for (int i = 0; i < segments.size(); i++) {
            embedded.add(change.chunks().get(i).withEmbedding(embeddings.get(i).vector()));
        }
        return new DocumentChange(
                change.tenant(), change.docId(), change.docVersion(), change.op(), embedded, change.producedAtMs());
    }
}
