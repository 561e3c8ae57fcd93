package dev.diffrag.connectors.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ServerSocket;
import org.junit.jupiter.api.Test;

/** {@code ask} without a broker; with one, {@code DiffragCliITCase}. */
class AskCommandTest {

    @Test
    void theTimeoutAlsoBoundsReachingKafka() throws IOException {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        CliRun run = CliRun.of("ask", "Who wrote Frankenstein?", "--id", "q-1", "--timeout", "2",
                        "--bootstrap-servers", "localhost:" + closedPort);

        // Before, ask waited for the consumer's own 30 s metadata timeout and then failed with the client's exception.
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err())
                .startsWith("no answer to question q-1 within 2 s: Kafka at localhost:" + closedPort
                        + " did not respond in time");
    }

    @Test
    void refusesATimeoutUnderOneSecond() {
        CliRun run = CliRun.of("ask", "Who?", "--timeout", "0", "--bootstrap-servers", "localhost:9092");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("--timeout must be at least 1 second, got 0");
    }

    @Test
    void refusesAnIdWhoseKeyIsOverTheJobsLimit() {
        CliRun run = CliRun.of("ask", "Who?", "--id", "q".repeat(1_100), "--timeout", "2",
                        "--bootstrap-servers", "localhost:9092");

        // Before, ask sent it and waited out its timeout: the job cut the dead letter's key to 1,024 characters, so
        // ask never recognised the rejection and blamed a pipeline job that was not running.
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err())
                .contains("question key too long: tenant/id has 1108 characters, over the limit of 1024");
    }
}
