package dev.diffrag.connectors.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

class RawRecordDeserializerTest {
    private final RawRecordDeserializer deserializer = new RawRecordDeserializer();

    @Test
    void keepsWhereTheRecordCameFromAndItsBytesUntouched() {
        byte[] value = "{\"tenant\":\"a\"}".getBytes(StandardCharsets.UTF_8);

        RawRecord raw = deserializeOne(record("acme/doc-1".getBytes(StandardCharsets.UTF_8), value));

        assertThat(raw.topic()).isEqualTo("documents");
        assertThat(raw.partition()).isEqualTo(3);
        assertThat(raw.offset()).isEqualTo(41L);
        assertThat(raw.key()).isEqualTo("acme/doc-1");
        assertThat(raw.value()).isEqualTo(value);
        assertThat(raw.timestamp()).isEqualTo(1_700_000_000_123L);
    }

    @Test
    void neverThrowsOnGarbageMissingKeysOrTombstones() {
        byte[] invalidUtf8 = {(byte) 0xC3, (byte) 0x28, (byte) 0xFF};

        RawRecord garbage = deserializeOne(record(invalidUtf8, invalidUtf8));
        RawRecord tombstone = deserializeOne(record(null, null));

        assertThat(garbage.value()).isEqualTo(invalidUtf8);
        assertThat(garbage.key()).contains("\uFFFD");
        assertThat(garbage.valueAsText()).contains("\uFFFD");
        assertThat(tombstone.key()).isNull();
        assertThat(tombstone.value()).isNull();
        assertThat(tombstone.valueAsText()).isNull();
    }

    @Test
    void producesRawRecords() {
        assertThat(deserializer.getProducedType().getTypeClass()).isEqualTo(RawRecord.class);
    }

    private RawRecord deserializeOne(ConsumerRecord<byte[], byte[]> record) {
        List<RawRecord> out = new ArrayList<>();
        deserializer.deserialize(record, new Collector<>() {
            @Override
            public void collect(RawRecord r) {
                out.add(r);
            }

            @Override
            public void close() {}
        });
        assertThat(out).hasSize(1);
        return out.get(0);
    }

    private static ConsumerRecord<byte[], byte[]> record(byte[] key, byte[] value) {
        return new ConsumerRecord<>("documents", 3, 41L, 1_700_000_000_123L, TimestampType.CREATE_TIME,
                key == null ? -1 : key.length, value == null ? -1 : value.length, key, value, new RecordHeaders(),
                Optional.empty());
    }
}
