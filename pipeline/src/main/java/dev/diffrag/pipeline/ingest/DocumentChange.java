package dev.diffrag.pipeline.ingest;

import dev.diffrag.connectors.records.DocumentOp;
import java.util.List;

/**
 * A validated document change, ready for the index: an upsert carries every chunk of the new version, a delete none.
 *
 * @param docVersion   the Kafka offset of the record that produced this change (see {@link ParseDocuments})
 * @param producedAtMs when the producer sent the change: the record's {@code ts}, else the Kafka record timestamp
 */
public record DocumentChange(
        String tenant, String docId, long docVersion, DocumentOp op, List<Chunk> chunks, long producedAtMs) {

    /** The key the index partitions by; the same string as the Kafka key of the document. */
    public String key() {
        return tenant + "/" + docId;
    }
}
