package dev.diffrag.connectors.kafka;

import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Plain Kafka clients for the CLI, tests and tools, built from a {@link KafkaConfig}. Keys are UTF-8 strings and
 * values raw bytes (the JSON of a record), as on every diffrag topic. The {@code *Properties} methods return exactly
 * what each client is created with.
 */
public final class KafkaClients {
    private KafkaClients() {}

    /** An idempotent producer with {@code acks=all}; the pass-through properties may override both. */
    public static KafkaProducer<String, byte[]> producer(KafkaConfig config) {
        return new KafkaProducer<>(producerProperties(config));
    }

    public static Properties producerProperties(KafkaConfig config) {
        Properties properties = config.baseClientProperties();
        properties.putIfAbsent("acks", "all");
        properties.putIfAbsent("enable.idempotence", "true");
        properties.setProperty("key.serializer", StringSerializer.class.getName());
        properties.setProperty("value.serializer", ByteArraySerializer.class.getName());
        return properties;
    }

    /**
     * A consumer in {@code groupId} that commits nothing by itself.
     *
     * @param readCommitted read only committed records of transactional producers (the job's sinks under
     *                      exactly-once), never records of aborted transactions
     */
    public static KafkaConsumer<String, byte[]> consumer(KafkaConfig config, String groupId, boolean readCommitted) {
        return new KafkaConsumer<>(consumerProperties(config, groupId, readCommitted));
    }

    /** A consumer without a group, for manual partition assignment ({@code assign}/{@code seek}), as the CLI reads. */
    public static KafkaConsumer<String, byte[]> consumer(KafkaConfig config, boolean readCommitted) {
        return new KafkaConsumer<>(consumerProperties(config, null, readCommitted));
    }

    /** @param groupId the consumer group, or null for a consumer that only reads assigned partitions */
    public static Properties consumerProperties(KafkaConfig config, String groupId, boolean readCommitted) {
        Properties properties = config.baseClientProperties();
        if (groupId != null) {
            properties.setProperty("group.id", groupId);
        }
        properties.setProperty("isolation.level", readCommitted ? "read_committed" : "read_uncommitted");
        properties.putIfAbsent("enable.auto.commit", "false");
        properties.putIfAbsent("auto.offset.reset", "earliest");
        // Reading a misspelled topic must fail, not create it.
        properties.putIfAbsent("allow.auto.create.topics", "false");
        properties.setProperty("key.deserializer", StringDeserializer.class.getName());
        properties.setProperty("value.deserializer", ByteArrayDeserializer.class.getName());
        return properties;
    }

    public static Admin admin(KafkaConfig config) {
        return Admin.create(adminProperties(config));
    }

    public static Properties adminProperties(KafkaConfig config) {
        return config.baseClientProperties();
    }
}
