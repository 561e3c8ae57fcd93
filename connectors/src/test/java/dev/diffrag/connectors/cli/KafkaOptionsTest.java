package dev.diffrag.connectors.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.diffrag.connectors.kafka.DeliveryGuarantee;
import dev.diffrag.connectors.kafka.KafkaConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KafkaOptionsTest {
    private static final String JAAS =
            "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"rag\" password=\"a=b\";";

    @TempDir
    Path dir;

    @Test
    void kafkaPropertiesPassThroughVerbatimEvenWithEqualsSignsInTheValue() {
        KafkaConfig config = configOf("tail", "answers",
                "--bootstrap-servers", "kafka:9094",
                "--kafka-property", "security.protocol=SASL_SSL",
                "--kafka-property", "sasl.jaas.config=" + JAAS);

        assertThat(config.bootstrapServers()).isEqualTo("kafka:9094");
        assertThat(config.clientProperties())
                .containsEntry("security.protocol", "SASL_SSL")
                .containsEntry("sasl.jaas.config", JAAS);
    }

    @Test
    void optionsOverrideTheConfigFile() throws IOException {
        Path file = Files.writeString(dir.resolve("kafka.properties"), String.join("\n",
                "kafka.bootstrap.servers=from-file:9092",
                "diffrag.topic.answers=replies",
                "diffrag.delivery-guarantee=exactly-once",
                "kafka.client.security.protocol=SSL"));

        KafkaConfig config = configOf("ask", "why?", "--config-file", file.toString(),
                "--bootstrap-servers", "from-option:9092", "--kafka-property", "security.protocol=SASL_SSL");

        assertThat(config.bootstrapServers()).isEqualTo("from-option:9092");
        assertThat(config.answersTopic()).isEqualTo("replies");
        assertThat(config.deliveryGuarantee()).isEqualTo(DeliveryGuarantee.EXACTLY_ONCE);
        assertThat(config.clientProperties()).containsEntry("security.protocol", "SASL_SSL");
    }

    @Test
    void aConfigFileThatPropertiesCannotParseIsNamedInTheError() throws IOException {
        Path file = Files.writeString(dir.resolve("kafka.properties"), "kafka.client.ssl.key.password=p\\uZZZZ\n");

        CliRun run = CliRun.of("delete", "a.md", "--config-file", file.toString());

        // Before: "error: Malformed \\uxxxx encoding.", naming neither the file nor that it was the configuration.
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).startsWith("error: cannot read config file " + file + ": Malformed");
    }

    private static KafkaConfig configOf(String... args) {
        KafkaOptions options = (KafkaOptions) DiffragCli.commandLine().parseArgs(args)
                .subcommand().commandSpec().mixins().get("kafka").userObject();
        return options.config();
    }
}
