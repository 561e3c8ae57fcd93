package dev.diffrag.model.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Properties;
import org.junit.jupiter.api.Test;

class AttentionThroughputBenchTest {

    @Test
    void theRecordedCommandCarriesTheSettingsTheRunWasGiven() {
        Properties properties = new Properties();
        properties.setProperty("bench.reps", "3");
        properties.setProperty("bench.seqLens", "512,2048");
        properties.setProperty("java.version", "17");

        assertThat(AttentionThroughputBench.command(properties))
                .isEqualTo(AttentionThroughputBench.COMMAND + " -Dbench.reps=3 -Dbench.seqLens=512,2048");
    }

    @Test
    void aRunWithTheDefaultsRecordsTheStatedCommand() {
        assertThat(AttentionThroughputBench.command(new Properties())).isEqualTo(AttentionThroughputBench.COMMAND);
    }
}
