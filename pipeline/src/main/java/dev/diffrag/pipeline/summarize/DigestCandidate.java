package dev.diffrag.pipeline.summarize;

import dev.diffrag.connectors.records.SummaryRecord;
import java.util.List;

/**
 * A summarized document version entering the digest windows: its summary sentences are the digest's candidates.
 * A delete enters too ({@code deleted}, no sentences), so a document deleted within a window drops out of it.
 */
public record DigestCandidate(String tenant, String topic, String docId, long version, boolean deleted,
        List<SummaryRecord.Sentence> sentences, long producedAtMs) {

    /**
     * {@code document} leaving the digests of {@code topic}: deleted, moved to another topic, or its version got no
     * summary.
     */
    static DigestCandidate removal(DocumentVersion document, String topic) {
        return new DigestCandidate(document.tenant(), topic, document.docId(), document.version(), true, List.of(),
                document.producedAtMs());
    }

    /** Digests are per tenant and topic. */
    public String digestKey() {
        return tenant + "/" + (topic == null ? "" : topic);
    }
}
