package dev.diffrag.connectors.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KafkaConfigTest {

    @Test
    void defaultsAreTheLocalSingleBrokerSetup() {
        KafkaConfig config = KafkaConfig.builder().build();

        assertThat(config.bootstrapServers()).isEqualTo("localhost:9092");
        assertThat(config.documentsTopic()).isEqualTo("documents");
        assertThat(config.questionsTopic()).isEqualTo("questions");
        assertThat(config.answersTopic()).isEqualTo("answers");
        assertThat(config.summariesTopic()).isEqualTo("summaries");
        assertThat(config.deadLetterTopic()).isEqualTo("dead-letter");
        assertThat(config.partitions(TopicRole.DOCUMENTS)).isEqualTo(2);
        assertThat(config.replicationFactor()).isEqualTo((short) 1);
        assertThat(config.groupId()).isEqualTo("diffrag");
        assertThat(config.startingOffsets()).isEqualTo(StartingOffsets.EARLIEST);
        assertThat(config.deliveryGuarantee()).isEqualTo(DeliveryGuarantee.AT_LEAST_ONCE);
        assertThat(config.clientProperties()).isEmpty();
    }

    @Test
    void readsEveryKeyFromTheEnvironment() {
        Map<String, String> env = Map.ofEntries(
                Map.entry("KAFKA_BOOTSTRAP_SERVERS", "k1:9093,k2:9093"),
                Map.entry("DIFFRAG_TOPIC_DOCUMENTS", "prod-docs"),
                Map.entry("DIFFRAG_TOPIC_DEAD_LETTER", "prod-dlq"),
                Map.entry("DIFFRAG_TOPIC_PARTITIONS", "6"),
                Map.entry("DIFFRAG_TOPIC_DOCUMENTS_PARTITIONS", "12"),
                Map.entry("DIFFRAG_TOPIC_REPLICATION_FACTOR", "3"),
                Map.entry("DIFFRAG_GROUP_ID", "rag-prod"),
                Map.entry("DIFFRAG_STARTING_OFFSETS", "committed"),
                Map.entry("DIFFRAG_DELIVERY_GUARANTEE", "exactly-once"),
                Map.entry("DIFFRAG_TRANSACTIONAL_ID_PREFIX", "rag-prod-tx"),
                Map.entry("KAFKA_CLIENT_SECURITY_PROTOCOL", "SASL_SSL"),
                Map.entry("KAFKA_CLIENT_SASL_MECHANISM", "SCRAM-SHA-512"),
                Map.entry("PATH", "/usr/bin"));

        KafkaConfig config = KafkaConfig.fromEnv(env);

        assertThat(config.bootstrapServers()).isEqualTo("k1:9093,k2:9093");
        assertThat(config.documentsTopic()).isEqualTo("prod-docs");
        assertThat(config.deadLetterTopic()).isEqualTo("prod-dlq");
        assertThat(config.answersTopic()).isEqualTo("answers");
        assertThat(config.partitions(TopicRole.DOCUMENTS)).isEqualTo(12);
        assertThat(config.partitions(TopicRole.ANSWERS)).isEqualTo(6);
        assertThat(config.replicationFactor()).isEqualTo((short) 3);
        assertThat(config.groupId()).isEqualTo("rag-prod");
        assertThat(config.startingOffsets()).isEqualTo(StartingOffsets.COMMITTED);
        assertThat(config.deliveryGuarantee()).isEqualTo(DeliveryGuarantee.EXACTLY_ONCE);
        assertThat(config.transactionalIdPrefix()).isEqualTo("rag-prod-tx");
        assertThat(config.clientProperties()).containsExactlyInAnyOrderEntriesOf(
                Map.of("security.protocol", "SASL_SSL", "sasl.mechanism", "SCRAM-SHA-512"));
    }

    @Test
    void readsPropertiesWithClientPropertiesVerbatim() {
        Properties properties = new Properties();
        properties.setProperty("kafka.bootstrap.servers", "broker:9092");
        properties.setProperty("diffrag.topic.answers", "replies");
        properties.setProperty("diffrag.delivery-guarantee", "EXACTLY_ONCE");
        properties.setProperty("kafka.client.sasl.jaas.config",
                "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"u\" password=\"p=1\";");
        properties.setProperty("kafka.client.ssl.truststore.location", "/etc/kafka/truststore.jks");
        properties.setProperty("pipeline.chunk.size", "500");

        KafkaConfig config = KafkaConfig.fromProperties(properties);

        assertThat(config.bootstrapServers()).isEqualTo("broker:9092");
        assertThat(config.answersTopic()).isEqualTo("replies");
        assertThat(config.deliveryGuarantee()).isEqualTo(DeliveryGuarantee.EXACTLY_ONCE);
        assertThat(config.clientProperties()).containsExactlyInAnyOrderEntriesOf(Map.of(
                "sasl.jaas.config",
                "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"u\" password=\"p=1\";",
                "ssl.truststore.location", "/etc/kafka/truststore.jks"));
    }

    /** The job and the CLI's --config-file both read the file this way, so a non-ASCII secret means the same to both. */
    @Test
    void aPropertiesFileIsReadAsUtf8(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("diffrag.properties"),
                "kafka.client.ssl.truststore.password=s\u00fc\u00dfes-geheimnis\n"); // UTF-8, as editors write it

        KafkaConfig config = KafkaConfig.fromProperties(KafkaConfig.propertiesFromFile(file));

        // The job read it as ISO-8859-1 (Properties.load(InputStream)): each of ü and ß became two characters.
        assertThat(config.clientProperties()).containsEntry("ssl.truststore.password", "s\u00fc\u00dfes-geheimnis");
    }

    @Test
    void environmentVariableNamesFollowTheKeys() {
        assertThat(KafkaConfig.envName(KafkaConfig.topicKey(TopicRole.DEAD_LETTER))).isEqualTo("DIFFRAG_TOPIC_DEAD_LETTER");
        assertThat(KafkaConfig.envName(KafkaConfig.partitionsKey(TopicRole.QUESTIONS)))
                .isEqualTo("DIFFRAG_TOPIC_QUESTIONS_PARTITIONS");
        assertThat(KafkaConfig.envName(KafkaConfig.BOOTSTRAP_SERVERS)).isEqualTo("KAFKA_BOOTSTRAP_SERVERS");
        assertThat(KafkaConfig.envName(KafkaConfig.DELIVERY_GUARANTEE)).isEqualTo("DIFFRAG_DELIVERY_GUARANTEE");
    }

    @Test
    void invalidValuesAreRejectedWithTheKeyAndTheAcceptedValues() {
        assertThatThrownBy(() -> KafkaConfig.fromEnv(Map.of("DIFFRAG_TOPIC_PARTITIONS", "many")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("diffrag.topic.partitions")
                .hasMessageContaining("many");
        assertThatThrownBy(() -> KafkaConfig.fromEnv(Map.of("DIFFRAG_TOPIC_ANSWERS_PARTITIONS", "0")))
                .hasMessageContaining("diffrag.topic.answers.partitions");
        assertThatThrownBy(() -> KafkaConfig.fromEnv(Map.of("DIFFRAG_DELIVERY_GUARANTEE", "at-most-once")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at-least-once, exactly-once");
        assertThatThrownBy(() -> KafkaConfig.fromEnv(Map.of("DIFFRAG_STARTING_OFFSETS", "middle")))
                .hasMessageContaining("earliest, latest, committed");
    }

    @Test
    void aReplicationFactorBeyondAShortIsRejectedRatherThanWrappedAround() {
        // As a short, 65537 was 1 (accepted) and 32768 was -32768.
        for (String factor : new String[] {"65537", "32768"}) {
            assertThatThrownBy(() -> KafkaConfig.fromEnv(Map.of("DIFFRAG_TOPIC_REPLICATION_FACTOR", factor)))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("diffrag.topic.replication-factor must be an integer from 1 to 32767, got '"
                            + factor + "'");
        }
        assertThat(KafkaConfig.fromEnv(Map.of("DIFFRAG_TOPIC_REPLICATION_FACTOR", "32767")).replicationFactor())
                .isEqualTo(Short.MAX_VALUE);
    }

    @Test
    void bootstrapServersCannotBeSmuggledInAsAClientProperty() {
        assertThatThrownBy(() -> KafkaConfig.builder().clientProperty("bootstrap.servers", "other:9092"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("KAFKA_BOOTSTRAP_SERVERS");
    }

    @Test
    void toBuilderCopiesEverything() {
        KafkaConfig config = KafkaConfig.builder()
                .bootstrapServers("b:1")
                .topic(TopicRole.SUMMARIES, "sums")
                .partitions(TopicRole.SUMMARIES, 5)
                .deliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
                .clientProperty("security.protocol", "SSL")
                .build();

        assertThat(config.toBuilder().build()).isEqualTo(config);
        assertThat(config.toBuilder().groupId("other").build()).isNotEqualTo(config);
    }

    @Test
    void aDerivedConfigurationKeepsOwnCountsButTakesANewDefault() {
        KafkaConfig derived = KafkaConfig.builder().partitions(TopicRole.SUMMARIES, 5).build()
                .toBuilder().defaultPartitions(6).build();

        // Before, toBuilder() gave every role the count it had resolved to, so answers stayed at the old default 2.
        assertThat(derived.partitions(TopicRole.ANSWERS)).isEqualTo(6);
        assertThat(derived.partitions(TopicRole.SUMMARIES)).isEqualTo(5);
    }

    @Test
    void toStringNeverShowsClientPropertyValues() {
        KafkaConfig config = KafkaConfig.builder().clientProperty("ssl.keystore.password", "hunter2").build();

        assertThat(config.toString()).contains("ssl.keystore.password").doesNotContain("hunter2");
    }

    @Test
    void survivesJavaSerializationAsFlinkShipsItToTasks() throws Exception {
        KafkaConfig config = KafkaConfig.builder().clientProperty("security.protocol", "SASL_SSL").build();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(config);
        }

        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            assertThat(in.readObject()).isEqualTo(config);
        }
    }
}
