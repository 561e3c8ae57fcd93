package dev.diffrag.connectors.kafka;

import java.util.Properties;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;

/** Flink Kafka sources built from a {@link KafkaConfig}. */
public final class KafkaSources {
    private KafkaSources() {}

    /**
     * An unbounded source of {@code topic} emitting every record as a {@link RawRecord}, in the configured consumer
     * group, starting at the configured offsets when the job has no checkpointed ones.
     */
    public static KafkaSource<RawRecord> raw(KafkaConfig config, String topic) {
        return KafkaSource.<RawRecord>builder()
                .setProperties(sourceProperties(config))
                .setBootstrapServers(config.bootstrapServers())
                .setGroupId(config.groupId())
                .setTopics(topic)
                .setStartingOffsets(startingOffsets(config.startingOffsets()))
                .setDeserializer(new RawRecordDeserializer())
                .build();
    }

    /**
     * The consumer properties of every source: the pass-through properties, and {@code read_committed} unless they
     * say otherwise, so records of aborted transactions (an exactly-once producer's failed attempts) are never read.
     */
    public static Properties sourceProperties(KafkaConfig config) {
        Properties properties = config.baseClientProperties();
        properties.putIfAbsent("isolation.level", "read_committed");
        return properties;
    }

    static OffsetsInitializer startingOffsets(StartingOffsets offsets) {
        return switch (offsets) {
            case EARLIEST -> OffsetsInitializer.earliest();
            case LATEST -> OffsetsInitializer.latest();
            case COMMITTED -> OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST);
        };
    }
}
