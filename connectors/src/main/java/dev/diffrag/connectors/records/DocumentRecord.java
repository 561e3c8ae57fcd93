package dev.diffrag.connectors.records;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Map;

/**
 * A document change on the {@code documents} topic, keyed {@code tenant/docId}.
 *
 * @param op     what to do with the document; deletes need no title or text
 * @param ts     producer time in epoch millis; used for freshness lag and event time
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record DocumentRecord(
        String tenant,
        String id,
        DocumentOp op,
        String title,
        String text,
        String source,
        Long ts,
        Map<String, String> metadata) {

    public static DocumentRecord upsert(String tenant, String id, String title, String text) {
        return new DocumentRecord(tenant, id, DocumentOp.UPSERT, title, text, null, System.currentTimeMillis(), null);
    }

    public static DocumentRecord delete(String tenant, String id) {
        return new DocumentRecord(tenant, id, DocumentOp.DELETE, null, null, null, System.currentTimeMillis(), null);
    }

    /** The Kafka key: one key per document, so all versions of a document stay in order on one partition. */
    public String key() {
        return tenant + "/" + id;
    }
}
