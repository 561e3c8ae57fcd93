package dev.diffrag.connectors.kafka;

import dev.diffrag.connectors.Json;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.util.function.SerializableFunction;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Writes a record to one topic as its {@link Json} form, keyed by a function of the record (UTF-8). Records with
 * the same key land on the same partition in order, which is what lets consumers deduplicate by key.
 */
public final class JsonRecordSerializer<T> implements KafkaRecordSerializationSchema<T> {
    private static final long serialVersionUID = 1L;

    private final String topic;
    private final SerializableFunction<T, String> keyFn;

    /** @param keyFn the record's key; it may return null for a record without a key (spread over partitions) */
    public JsonRecordSerializer(String topic, SerializableFunction<T, String> keyFn) {
        this.topic = Objects.requireNonNull(topic, "topic");
        this.keyFn = Objects.requireNonNull(keyFn, "keyFn");
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(T element, KafkaSinkContext context, Long timestamp) {
        String key = keyFn.apply(element);
        byte[] keyBytes = key == null ? null : key.getBytes(StandardCharsets.UTF_8);
        return new ProducerRecord<>(topic, null, timestamp, keyBytes, Json.toBytes(element));
    }

    public String topic() {
        return topic;
    }
}
