package dev.diffrag.connectors.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.diffrag.connectors.records.AnswerRecord;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.flink.connector.kafka.sink.BuiltKafkaSink;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.BuiltKafkaSource;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.util.InstantiationUtil;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.Test;

/** SASL/SSL settings given once in {@link KafkaConfig} must reach every Kafka client the project builds. */
class KafkaFactoriesTest {
    private static final Map<String, String> SECURITY = Map.of(
            "security.protocol", "SASL_SSL",
            "sasl.mechanism", "SCRAM-SHA-512",
            "sasl.jaas.config",
            "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"rag\" password=\"s3cret\";",
            "ssl.truststore.location", "/etc/kafka/secrets/truststore.jks",
            "ssl.truststore.password", "changeit",
            "ssl.endpoint.identification.algorithm", "https");

    private static final KafkaConfig CONFIG = KafkaConfig.builder()
            .bootstrapServers("kafka-1:9094,kafka-2:9094")
            .groupId("rag-job")
            .clientProperties(SECURITY)
            .build();

    @Test
    void flinkSourceCarriesThePassThroughProperties() {
        KafkaSource<RawRecord> source = KafkaSources.raw(CONFIG, CONFIG.documentsTopic());

        Map<String, String> consumer = BuiltKafkaSource.configuration(source);

        assertThat(consumer).containsAllEntriesOf(SECURITY);
        assertThat(consumer).containsEntry("bootstrap.servers", "kafka-1:9094,kafka-2:9094");
        assertThat(consumer).containsEntry("group.id", "rag-job");
        assertThat(consumer).containsEntry("isolation.level", "read_committed");
    }

    @Test
    void flinkSinkCarriesThePassThroughPropertiesUnderBothGuarantees() {
        KafkaSink<AnswerRecord> atLeastOnce = KafkaSinks.answers(CONFIG);
        KafkaSink<AnswerRecord> exactlyOnce = KafkaSinks.answers(
                CONFIG.toBuilder().deliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE).build());

        for (KafkaSink<AnswerRecord> sink : List.of(atLeastOnce, exactlyOnce)) {
            Properties producer = BuiltKafkaSink.producerConfig(sink);
            assertThat(asMap(producer)).containsAllEntriesOf(SECURITY);
            assertThat(producer.getProperty("bootstrap.servers")).isEqualTo("kafka-1:9094,kafka-2:9094");
        }
        assertThat(BuiltKafkaSink.producerConfig(exactlyOnce).getProperty("transaction.timeout.ms"))
                .isEqualTo(Long.toString(KafkaSinks.DEFAULT_TRANSACTION_TIMEOUT.toMillis()));
    }

    /** Every sink of the job, under both delivery guarantees, carries the pass-through properties. */
    @Test
    void everyJobSinkCarriesThePassThroughProperties() {
        KafkaConfig exactlyOnce = CONFIG.toBuilder().deliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE).build();

        for (KafkaSink<?> sink : List.of(KafkaSinks.answers(exactlyOnce), KafkaSinks.deadLetters(exactlyOnce),
                KafkaSinks.summaries(exactlyOnce), KafkaSinks.deadLetters(CONFIG), KafkaSinks.summaries(CONFIG))) {
            assertThat(asMap(BuiltKafkaSink.producerConfig(sink))).containsAllEntriesOf(SECURITY)
                    .containsEntry("bootstrap.servers", "kafka-1:9094,kafka-2:9094");
        }
    }

    /** TopicAdmin lets two roles share a topic; under exactly-once their sinks must still not share transactional ids. */
    @Test
    void sinksOfRolesSharingATopicHaveTheirOwnTransactionalIdPrefixes() throws Exception {
        KafkaConfig config = CONFIG.toBuilder()
                .topic(TopicRole.SUMMARIES, "outputs")
                .topic(TopicRole.DEAD_LETTER, "outputs")
                .deliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
                .build();

        // Before, both were diffrag-outputs.
        assertThat(BuiltKafkaSink.transactionalIdPrefix(KafkaSinks.summaries(config))).isEqualTo("diffrag-summaries");
        assertThat(BuiltKafkaSink.transactionalIdPrefix(KafkaSinks.deadLetters(config))).isEqualTo("diffrag-dead-letter");
        assertThat(BuiltKafkaSink.transactionalIdPrefix(KafkaSinks.answers(config))).isEqualTo("diffrag-answers");
    }

    /** Flink ships sources and sinks to the task managers by Java serialization, key functions included. */
    @Test
    void builtSourcesAndSinksSurviveJavaSerialization() throws Exception {
        KafkaSink<AnswerRecord> sink = KafkaSinks.answers(CONFIG);
        KafkaSource<RawRecord> source = KafkaSources.raw(CONFIG, CONFIG.questionsTopic());

        assertThat(BuiltKafkaSink.producerConfig(InstantiationUtil.clone(sink))).isEqualTo(BuiltKafkaSink.producerConfig(sink));
        assertThat(BuiltKafkaSource.configuration(InstantiationUtil.clone(source)))
                .isEqualTo(BuiltKafkaSource.configuration(source));
    }

    @Test
    void passThroughTransactionTimeoutWinsOverTheDefault() {
        KafkaConfig config = CONFIG.toBuilder()
                .deliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
                .clientProperty("transaction.timeout.ms", "300000")
                .build();

        assertThat(BuiltKafkaSink.producerConfig(KafkaSinks.deadLetters(config)).getProperty("transaction.timeout.ms"))
                .isEqualTo("300000");
    }

    @Test
    void plainClientsCarryThePassThroughProperties() {
        assertThat(asMap(KafkaClients.producerProperties(CONFIG))).containsAllEntriesOf(SECURITY);
        assertThat(asMap(KafkaClients.consumerProperties(CONFIG, "cli", true))).containsAllEntriesOf(SECURITY)
                .containsEntry("group.id", "cli")
                .containsEntry("isolation.level", "read_committed");
        assertThat(asMap(KafkaClients.consumerProperties(CONFIG, null, false))).containsAllEntriesOf(SECURITY)
                .doesNotContainKey("group.id")
                .containsEntry("isolation.level", "read_uncommitted");
        assertThat(asMap(KafkaClients.adminProperties(CONFIG))).containsAllEntriesOf(SECURITY)
                .containsEntry("bootstrap.servers", "kafka-1:9094,kafka-2:9094");
    }

    /**
     * The real clients accept the properties their factories build: a JAAS configuration or mechanism they could
     * not use fails here, at construction. (SASL_PLAINTEXT, so no trust store file is needed; no broker is contacted
     * before first use.)
     */
    @Test
    void realClientsAreCreatedWithSaslProperties() {
        KafkaConfig config = KafkaConfig.builder()
                .bootstrapServers("localhost:1")
                .clientProperty("security.protocol", "SASL_PLAINTEXT")
                .clientProperty("sasl.mechanism", "PLAIN")
                .clientProperty("sasl.jaas.config",
                        "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"u\" password=\"p\";")
                .build();

        try (KafkaProducer<String, byte[]> producer = KafkaClients.producer(config);
                KafkaConsumer<String, byte[]> consumer = KafkaClients.consumer(config, "g", true);
                Admin admin = KafkaClients.admin(config)) {
            assertThat(producer.metrics()).isNotEmpty();
            assertThat(consumer.metrics()).isNotEmpty();
            assertThat(admin.metrics()).isNotEmpty();
        }
    }

    @Test
    void factoryDefaultsGiveWayToPassThroughProperties() {
        KafkaConfig config = CONFIG.toBuilder().clientProperty("acks", "1").clientProperty("isolation.level", "read_uncommitted").build();

        assertThat(KafkaClients.producerProperties(config).getProperty("acks")).isEqualTo("1");
        assertThat(KafkaSources.sourceProperties(config).getProperty("isolation.level")).isEqualTo("read_uncommitted");
    }

    private static Map<String, String> asMap(Properties properties) {
        Map<String, String> map = new HashMap<>();
        properties.stringPropertyNames().forEach(name -> map.put(name, properties.getProperty(name)));
        return map;
    }
}
