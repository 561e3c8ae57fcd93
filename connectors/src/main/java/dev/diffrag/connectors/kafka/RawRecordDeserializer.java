package dev.diffrag.connectors.kafka;

import java.nio.charset.StandardCharsets;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Hands every Kafka record to the job as a {@link RawRecord} without looking at its payload, so no payload can fail
 * the source: the job parses it and sends what it cannot parse to the dead-letter topic.
 */
public final class RawRecordDeserializer implements KafkaRecordDeserializationSchema<RawRecord> {
    private static final long serialVersionUID = 1L;

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<RawRecord> out) {
        out.collect(toRawRecord(record));
    }

    /** Invalid UTF-8 in a key is replaced by U+FFFD rather than rejected: the key is only used for routing and reports. */
    public static RawRecord toRawRecord(ConsumerRecord<byte[], byte[]> record) {
        String key = record.key() == null ? null : new String(record.key(), StandardCharsets.UTF_8);
        return new RawRecord(record.topic(), record.partition(), record.offset(), key, record.value(), record.timestamp());
    }

    @Override
    public TypeInformation<RawRecord> getProducedType() {
        return TypeInformation.of(RawRecord.class);
    }
}
