package dev.diffrag.connectors.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** {@code delete} without a broker; with one, {@code DiffragCliITCase}. */
class DeleteCommandTest {

    @Test
    void refusesAnIdWhoseKeyIsOverTheJobsLimit() {
        CliRun run = CliRun.of("delete", "short.md", "d".repeat(1_100), "--bootstrap-servers", "localhost:9092",
                        "--kafka-property", "max.block.ms=1000");

        // Before, the delete was sent (or, without a broker, failed to be) and the job would dead-letter it.
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err())
                .contains("document key too long: tenant/id has 1108 characters, over the limit of 1024");
    }
}
