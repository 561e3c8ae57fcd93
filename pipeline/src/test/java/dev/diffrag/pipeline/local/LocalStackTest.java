package dev.diffrag.pipeline.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.diffrag.connectors.kafka.DeliveryGuarantee;
import dev.diffrag.pipeline.PipelineConfig;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LocalStackTest {

    @Test
    void theJobsVariablesApplyButParallelismCheckpointsAndDigestTimingAreTheLocalStacks() {
        PipelineConfig config = LocalStack.config(Map.of(
                "DIFFRAG_ANSWERER", "baseline",
                "DIFFRAG_MERGE_TIMEOUT_MS", "5000",
                "DIFFRAG_PARALLELISM", "8",
                "DIFFRAG_CHECKPOINT_DIR", "file:///elsewhere",
                "DIFFRAG_DIGEST_WINDOW_MS", "3600000"), "file:///tmp/local-checkpoints");

        assertThat(config.answer().answerer()).isEqualTo("baseline");
        assertThat(config.index().mergeTimeoutMs()).isEqualTo(5_000);
        assertThat(config.parallelism()).isEqualTo(2);
        assertThat(config.checkpointDirectory()).isEqualTo("file:///tmp/local-checkpoints");
        assertThat(config.summary().digestWindowMs()).isEqualTo(10_000);
    }

    @Test
    void theDeliveryGuaranteeIsAtLeastOnceWhateverTheKafkaVariableSays() {
        // The embedded broker's sinks are at-least-once, and README says the Kafka table's settings do not apply here;
        // DIFFRAG_DELIVERY_GUARANTEE used to switch the checkpointing mode to exactly-once all the same.
        PipelineConfig config = LocalStack.config(Map.of("DIFFRAG_DELIVERY_GUARANTEE", "exactly-once"),
                "file:///tmp/local-checkpoints");

        assertThat(config.deliveryGuarantee()).isEqualTo(DeliveryGuarantee.AT_LEAST_ONCE);
    }

    @Test
    void withoutVariablesItIsTheJobsDefaultConfiguration() {
        PipelineConfig config = LocalStack.config(Map.of(), "file:///tmp/local-checkpoints");
        PipelineConfig defaults = PipelineConfig.defaults();

        assertThat(config.index()).isEqualTo(defaults.index());
        assertThat(config.answer()).isEqualTo(defaults.answer());
        assertThat(config.summary().summarizer()).isEqualTo(defaults.summary().summarizer());
        assertThat(config.summary().withDigestTiming(defaults.summary().digestWindowMs(),
                defaults.summary().outOfOrdernessMs(), defaults.summary().idleSourceMs())).isEqualTo(defaults.summary());
    }
}
