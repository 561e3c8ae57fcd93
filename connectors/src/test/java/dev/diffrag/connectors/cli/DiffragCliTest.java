package dev.diffrag.connectors.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** How the command line reports errors, without a broker. */
class DiffragCliTest {

    @Test
    void aKafkaClientThatCannotBeBuiltIsReportedWithItsReason() {
        CliRun noPort = CliRun.of("delete", "a.md", "--bootstrap-servers", "nohostport");
        CliRun noLogin = CliRun.of("tail", "answers", "--bootstrap-servers", "localhost:9092",
                "--kafka-property", "security.protocol=SASL_PLAINTEXT", "--kafka-property", "sasl.mechanism=PLAIN");

        // Before, both said only "error: Failed to construct kafka producer" (consumer): the reason was in the cause.
        assertThat(noPort.exitCode()).isEqualTo(1);
        assertThat(noPort.err().strip())
                .isEqualTo("error: Failed to construct kafka producer: Invalid url in bootstrap.servers: nohostport");
        assertThat(noLogin.exitCode()).isEqualTo(1);
        assertThat(noLogin.err()).startsWith("error: Failed to construct kafka consumer: ").contains("JAAS");
    }
}
