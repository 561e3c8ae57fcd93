package dev.diffrag.connectors.records;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.List;
import java.util.Locale;

/**
 * A summary on the {@code summaries} topic. Every sentence is a verbatim span of a document version:
 * {@code text.equals(document.substring(start, end))}.
 *
 * <ul>
 *   <li>{@code kind = document}: the summary of version {@code docVersion} of {@code tenant/docId}, keyed
 *       {@code tenant/document/docId}, so each new version supersedes the previous summary (and a compacted topic
 *       keeps only the latest). A delete produces a superseding record with {@code deleted = true} and no sentences: the
 *       document's summary is gone (a JSON record rather than a null-value Kafka tombstone, so every consumer sees
 *       the version that deleted it).</li>
 *   <li>{@code kind = digest}: the most salient sentences of the documents of one tenant (and {@code topic}, when
 *       the documents carry {@code metadata.topic}) that arrived in the event-time window {@code window}; each
 *       sentence names its {@code docId} and {@code docVersion}. Keyed {@code tenant/digest/topic/windowStart}.
 *       {@code docId}, {@code docVersion} and {@code latencyMs} are absent.</li>
 * </ul>
 *
 * @param latencyMs document summaries: from the document's producer time to the summary being emitted
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record SummaryRecord(
        String tenant,
        String docId,
        Long docVersion,
        Kind kind,
        String topic,
        List<Sentence> sentences,
        Window window,
        String model,
        Long latencyMs,
        Boolean deleted) {

    /** What the record summarizes. JSON spells it {@code "document"} or {@code "digest"}. */
    public enum Kind {
        DOCUMENT,
        DIGEST;

        @JsonValue
        public String json() {
            return name().toLowerCase(Locale.ROOT);
        }

        @JsonCreator
        public static Kind fromJson(String value) {
            for (Kind kind : values()) {
                if (kind.json().equals(value)) {
                    return kind;
                }
            }
            throw new IllegalArgumentException("unknown summary kind '" + value + "' (expected document or digest)");
        }
    }

    /** A summary sentence; {@code docId}/{@code docVersion} only in digests. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Sentence(String text, int start, int end, String docId, Long docVersion) {}

    /** An event-time window {@code [start, end)} in epoch millis. */
    public record Window(long start, long end) {}

    public static SummaryRecord document(String tenant, String docId, long docVersion, List<Sentence> sentences,
            String model, long latencyMs) {
        return new SummaryRecord(tenant, docId, docVersion, Kind.DOCUMENT, null, sentences, null, model, latencyMs,
                null);
    }

    /** Supersedes the summary of a deleted document. */
    public static SummaryRecord deleted(String tenant, String docId, long docVersion, String model, long latencyMs) {
        return new SummaryRecord(tenant, docId, docVersion, Kind.DOCUMENT, null, List.of(), null, model, latencyMs,
                true);
    }

    public static SummaryRecord digest(String tenant, String topic, Window window, List<Sentence> sentences,
            String model) {
        return new SummaryRecord(tenant, null, null, Kind.DIGEST, topic, sentences, window, model, null, null);
    }

    /**
     * The Kafka key: {@code tenant/document/docId} for documents, {@code tenant/digest/topic/windowStart} for digests.
     * The kind is a key segment of its own because a document id may be any text: keyed {@code tenant/docId}, the
     * document {@code digest/sport/60000} would share its key with a digest, and a compacted topic would keep only one.
     */
    public String key() {
        return kind == Kind.DOCUMENT
                ? tenant + "/document/" + docId
                : tenant + "/digest/" + (topic == null ? "" : topic) + "/" + window.start();
    }
}
