package dev.diffrag.connectors.kafka;

import dev.diffrag.connectors.records.AnswerRecord;
import dev.diffrag.connectors.records.DeadLetterRecord;
import dev.diffrag.connectors.records.SummaryRecord;
import java.time.Duration;
import java.util.Properties;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.util.function.SerializableFunction;

/** Flink Kafka sinks built from a {@link KafkaConfig}, writing records as JSON. */
public final class KafkaSinks {
    /**
     * Producer transaction timeout under exactly-once unless the pass-through properties set
     * {@code transaction.timeout.ms}: the broker's default maximum ({@code transaction.max.timeout.ms}, 15 minutes).
     * Flink's own default (1 hour) is refused by a broker with default settings. The timeout must exceed the longest
     * time between two checkpoints plus the time to recover from a failure, or Kafka aborts transactions that a
     * restored job still wants to commit.
     */
    public static final Duration DEFAULT_TRANSACTION_TIMEOUT = Duration.ofMinutes(15);

    private KafkaSinks() {}

    /**
     * A sink writing each record to the topic of {@code role} as JSON, keyed by {@code keyFn}, with the configured
     * delivery guarantee; under exactly-once its transactional ids start with the configured prefix plus
     * {@code -role} (e.g. {@code diffrag-dead-letter}). Per role, not per topic: two roles may share a topic, and sinks
     * with one prefix would fence each other's transactions.
     */
    public static <T> KafkaSink<T> json(KafkaConfig config, TopicRole role, SerializableFunction<T, String> keyFn) {
        return KafkaSink.<T>builder()
                .setKafkaProducerConfig(sinkProperties(config))
                .setBootstrapServers(config.bootstrapServers())
                .setRecordSerializer(new JsonRecordSerializer<>(config.topic(role), keyFn))
                .setDeliveryGuarantee(flinkGuarantee(config.deliveryGuarantee()))
                .setTransactionalIdPrefix(config.transactionalIdPrefix() + "-" + role.defaultName())
                .build();
    }

    /** Answers on the answers topic, keyed like their questions ({@code tenant/id}) so consumers can deduplicate. */
    public static KafkaSink<AnswerRecord> answers(KafkaConfig config) {
        return json(config, TopicRole.ANSWERS, AnswerRecord::key);
    }

    /** Summaries on the summaries topic, keyed so that a document's newer summary supersedes the older one. */
    public static KafkaSink<SummaryRecord> summaries(KafkaConfig config) {
        return json(config, TopicRole.SUMMARIES, SummaryRecord::key);
    }

    /** Dead letters on the dead-letter topic, keyed by the key of the record they failed on. */
    public static KafkaSink<DeadLetterRecord> deadLetters(KafkaConfig config) {
        return json(config, TopicRole.DEAD_LETTER, DeadLetterRecord::key);
    }

    /** The producer properties of every sink: the pass-through properties plus the transaction timeout default. */
    public static Properties sinkProperties(KafkaConfig config) {
        Properties properties = config.baseClientProperties();
        if (config.deliveryGuarantee() == DeliveryGuarantee.EXACTLY_ONCE) {
            properties.putIfAbsent("transaction.timeout.ms", Long.toString(DEFAULT_TRANSACTION_TIMEOUT.toMillis()));
        }
        return properties;
    }

    static org.apache.flink.connector.base.DeliveryGuarantee flinkGuarantee(DeliveryGuarantee guarantee) {
        return switch (guarantee) {
            case AT_LEAST_ONCE -> org.apache.flink.connector.base.DeliveryGuarantee.AT_LEAST_ONCE;
            case EXACTLY_ONCE -> org.apache.flink.connector.base.DeliveryGuarantee.EXACTLY_ONCE;
        };
    }
}
