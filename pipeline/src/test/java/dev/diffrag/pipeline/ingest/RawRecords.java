package dev.diffrag.pipeline.ingest;

import dev.diffrag.connectors.Json;
import dev.diffrag.connectors.kafka.RawRecord;
import dev.diffrag.connectors.records.DocumentRecord;
import dev.diffrag.connectors.records.QuestionRecord;
import java.nio.charset.StandardCharsets;

/** Kafka records as the sources would deliver them, for tests. */
public final class RawRecords {

    public static final long KAFKA_TIMESTAMP = 1_000L;

    private RawRecords() {}

    public static RawRecord document(long offset, DocumentRecord doc) {
        return raw("documents", offset, doc.key(), Json.toString(doc));
    }

    public static RawRecord question(long offset, QuestionRecord question) {
        return raw("questions", offset, question.key(), Json.toString(question));
    }

    public static RawRecord raw(String topic, long offset, String key, String payload) {
        return bytes(topic, offset, key, payload == null ? null : payload.getBytes(StandardCharsets.UTF_8));
    }

    public static RawRecord bytes(String topic, long offset, String key, byte[] payload) {
        return new RawRecord(topic, 0, offset, key, payload, KAFKA_TIMESTAMP);
    }
}
