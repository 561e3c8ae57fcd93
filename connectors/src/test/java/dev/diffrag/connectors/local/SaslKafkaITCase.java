package dev.diffrag.connectors.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.diffrag.connectors.cli.CliRun;
import dev.diffrag.connectors.kafka.KafkaClients;
import dev.diffrag.connectors.kafka.KafkaConfig;
import dev.diffrag.connectors.kafka.TopicAdmin;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** SASL settings given once in the configuration authenticate every client against a broker that requires them. */
class SaslKafkaITCase {
    private static EmbeddedKafka kafka;

    @BeforeAll
    static void startBroker() {
        kafka = EmbeddedKafka.startWithSaslPlain();
    }

    @AfterAll
    static void stopBroker() {
        kafka.close();
    }

    @Test
    void adminProducerAndConsumerAuthenticateWithThePassThroughProperties() throws Exception {
        KafkaConfig config = kafka.config();

        TopicAdmin.ensureTopics(config);
        try (KafkaProducer<String, byte[]> producer = KafkaClients.producer(config)) {
            producer.send(new ProducerRecord<>(config.summariesTopic(), "acme/doc",
                    "{\"n\":1}".getBytes(StandardCharsets.UTF_8))).get();
        }

        // The CLI's consumer, given the same settings as --kafka-property options.
        CliRun run = CliRun.of("tail", config.summariesTopic(), "--from-beginning", "--max", "1",
                        "--bootstrap-servers", kafka.bootstrapServers(),
                        "--kafka-property", "security.protocol=SASL_PLAINTEXT",
                        "--kafka-property", "sasl.mechanism=PLAIN",
                        "--kafka-property", "sasl.jaas.config="
                                + EmbeddedKafka.plainJaasConfig(EmbeddedKafka.SASL_USER, EmbeddedKafka.SASL_PASSWORD));
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).contains("key=acme/doc value={\"n\":1}");
    }

    @Test
    void wrongCredentialsAreRefused() {
        KafkaConfig config = kafka.config().toBuilder()
                .clientProperty("sasl.jaas.config", EmbeddedKafka.plainJaasConfig(EmbeddedKafka.SASL_USER, "wrong"))
                .build();

        try (Admin admin = KafkaClients.admin(config)) {
            assertThatThrownBy(() -> admin.listTopics().names().get())
                    .isInstanceOf(ExecutionException.class)
                    .hasCauseInstanceOf(SaslAuthenticationException.class);
        }
    }
}
