package dev.diffrag.pipeline.summarize;

import dev.diffrag.connectors.records.DocumentOp;

/**
 * One version of a document as the summaries branch sees it.
 *
 * @param version      the Kafka offset of the record (see {@link dev.diffrag.pipeline.ingest.ParseDocuments})
 * @param text         the full text of an upsert; null for a delete
 * @param topic        {@code metadata.topic} when the document has one, else null; after
 *                     {@link LatestDocumentVersions}, a delete has the topic of the version it deletes
 * @param producedAtMs the producer time: the event time of digests and the start of the summary latency
 */
public record DocumentVersion(
        String tenant, String docId, long version, DocumentOp op, String text, String topic, long producedAtMs) {

    public String key() {
        return tenant + "/" + docId;
    }

    DocumentVersion withTopic(String topic) {
        return new DocumentVersion(tenant, docId, version, op, text, topic, producedAtMs);
    }
}
