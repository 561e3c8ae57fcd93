package dev.diffrag.connectors.kafka;

import java.nio.charset.StandardCharsets;

/**
 * A Kafka record exactly as read, before any parsing: parsing happens in the job so that a malformed payload can be
 * sent to the dead-letter topic with where it came from, instead of failing the source.
 *
 * @param key       the record key decoded as UTF-8, or null
 * @param value     the payload bytes, or null for a tombstone
 * @param timestamp the Kafka record timestamp in epoch millis
 */
public record RawRecord(String topic, int partition, long offset, String key, byte[] value, long timestamp) {

    /** The payload as text for a dead-letter record; invalid UTF-8 is replaced, never dropped. */
    public String valueAsText() {
        return value == null ? null : new String(value, StandardCharsets.UTF_8);
    }
}
