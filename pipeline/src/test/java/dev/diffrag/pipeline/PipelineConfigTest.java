package dev.diffrag.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.diffrag.connectors.kafka.DeliveryGuarantee;
import dev.diffrag.pipeline.summarize.SummaryConfig;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.ExternalizedCheckpointRetention;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.Test;

class PipelineConfigTest {

    @Test
    void anEmptyEnvironmentGivesTheDefaults() {
        assertThat(PipelineConfig.fromEnv(Map.of())).isEqualTo(PipelineConfig.defaults());
    }

    @Test
    void summarySettingsAreReadFromTheirKeys() {
        Properties properties = new Properties();
        properties.setProperty("diffrag.summarizer", "lead-3");
        properties.setProperty("diffrag.summary.max-sentences", "2");
        properties.setProperty("diffrag.summary.max-tokens", "60");
        properties.setProperty("diffrag.digest.window-ms", "300000");
        properties.setProperty("diffrag.digest.sentences", "7");
        properties.setProperty("diffrag.digest.max-candidates", "32");
        properties.setProperty("diffrag.summary.batch-size", "8");
        properties.setProperty("diffrag.summary.batch-delay-ms", "50");
        properties.setProperty("diffrag.summary.timeout-ms", "5000");

        SummaryConfig summary = PipelineConfig.fromProperties(properties).summary();

        assertThat(summary).isEqualTo(new SummaryConfig("lead-3", 2, 60, 300_000, 7, 32,
                SummaryConfig.defaults().outOfOrdernessMs(), SummaryConfig.defaults().idleSourceMs(), 8, 50, 5_000,
                SummaryConfig.defaults().remote()));
        assertThatThrownBy(() -> PipelineConfig.fromEnv(Map.of("DIFFRAG_DIGEST_WINDOW_MS", "0")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("window 0 ms");
        // A misspelt summarizer fails when the job is built, not in every task after each restart.
        assertThatThrownBy(() -> PipelineConfig.fromEnv(Map.of("DIFFRAG_SUMMARIZER", "lead-k")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unknown summarizer 'lead-k'");
        // The model server's summarizer has no token budget: asking for one is refused, not ignored.
        assertThatThrownBy(() -> PipelineConfig.fromEnv(Map.of("DIFFRAG_SUMMARIZER", "remote",
                "DIFFRAG_ANSWER_REMOTE_URL", "http://model-server:8080", "DIFFRAG_SUMMARY_MAX_TOKENS", "60")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("diffrag.summary.max-tokens");
    }

    @Test
    void environmentVariablesOverrideTheirSettings() {
        PipelineConfig config = PipelineConfig.fromEnv(Map.ofEntries(
                Map.entry("DIFFRAG_CHUNK_SIZE", "300"),
                Map.entry("DIFFRAG_CHUNK_OVERLAP", "30"),
                Map.entry("DIFFRAG_TOP_K", "8"),
                Map.entry("DIFFRAG_ABSTAIN_THRESHOLD", "0.5"),
                Map.entry("DIFFRAG_ANSWER_BATCH_SIZE", "32"),
                Map.entry("DIFFRAG_ANSWER_TIMEOUT_MS", "2500"),
                Map.entry("DIFFRAG_CHECKPOINT_INTERVAL_MS", "30000"),
                Map.entry("DIFFRAG_CHECKPOINT_DIR", "file:///var/diffrag/checkpoints"),
                Map.entry("DIFFRAG_DELIVERY_GUARANTEE", "exactly-once"),
                Map.entry("DIFFRAG_PARALLELISM", "4")));

        assertThat(config.index().chunkSize()).isEqualTo(300);
        assertThat(config.index().chunkOverlap()).isEqualTo(30);
        assertThat(config.index().defaultTopK()).isEqualTo(8);
        assertThat(config.answer().abstainThreshold()).isEqualTo(0.5);
        assertThat(config.answer().maxBatchSize()).isEqualTo(32);
        assertThat(config.answer().timeoutMs()).isEqualTo(2500);
        assertThat(config.answer().maxBatchDelayMs()).isEqualTo(PipelineConfig.defaults().answer().maxBatchDelayMs());
        assertThat(config.checkpointIntervalMs()).isEqualTo(30_000);
        assertThat(config.checkpointDirectory()).isEqualTo("file:///var/diffrag/checkpoints");
        assertThat(config.deliveryGuarantee()).isEqualTo(DeliveryGuarantee.EXACTLY_ONCE);
        assertThat(config.parallelism()).isEqualTo(4);
    }

    @Test
    void answerSettingsOutOfRangeAreRefusedWhenTheJobIsBuilt() {
        assertThatThrownBy(() -> PipelineConfig.fromEnv(Map.of("DIFFRAG_ABSTAIN_THRESHOLD", "NaN")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("abstain threshold NaN");
        assertThatThrownBy(() -> PipelineConfig.fromEnv(Map.of("DIFFRAG_ABSTAIN_THRESHOLD", "1.5")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("abstain threshold 1.5");
        assertThatThrownBy(() -> PipelineConfig.fromEnv(Map.of("DIFFRAG_ANSWER_BATCH_SIZE", "0")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("batches of 0");
    }

    @Test
    void badIndexSettingsNameTheirKeysAndValues() {
        // They said "defaultTopK must be in 1..100" or "limits and timeout must be positive": neither setting nor value.
        assertThatThrownBy(() -> PipelineConfig.fromEnv(Map.of("DIFFRAG_TOP_K", "0")))
                .hasMessage("diffrag.top-k must be in 1..100, got 0");
        assertThatThrownBy(() -> PipelineConfig.fromEnv(Map.of("DIFFRAG_CHUNK_OVERLAP", "900")))
                .hasMessage("diffrag.chunk-overlap (900) must be at least 0 and below diffrag.chunk-size (800)");
        assertThatThrownBy(() -> PipelineConfig.fromEnv(Map.of("DIFFRAG_MERGE_TIMEOUT_MS", "0")))
                .hasMessage("diffrag.merge-timeout-ms must be positive, got 0");
    }

    @Test
    void aNegativeParallelismIsRefusedWhenTheJobIsBuilt() {
        // It used to pass, and RagJob then kept the cluster's default parallelism as if 0 had been given.
        assertThatThrownBy(() -> PipelineConfig.fromEnv(Map.of("DIFFRAG_PARALLELISM", "-2")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("diffrag.parallelism").hasMessageContaining("-2");
    }

    @Test
    void aCheckpointIntervalFlinkRefusesIsRefusedWithItsKey() {
        // Flink refuses it only when the job is configured, after main has created the topics, without naming the key.
        for (String interval : new String[] {"0", "-1", "9"}) {
            assertThatThrownBy(() -> PipelineConfig.fromEnv(Map.of("DIFFRAG_CHECKPOINT_INTERVAL_MS", interval)))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("diffrag.checkpoint-interval-ms").hasMessageContaining(interval);
        }
        assertThat(PipelineConfig.fromEnv(Map.of("DIFFRAG_CHECKPOINT_INTERVAL_MS", "10")).checkpointIntervalMs())
                .isEqualTo(10);
    }

    @Test
    void propertiesUseTheDottedKeys() {
        Properties properties = new Properties();
        properties.setProperty("diffrag.answer.capacity", "7");
        properties.setProperty("diffrag.merge-timeout-ms", "900");

        PipelineConfig config = PipelineConfig.fromProperties(properties);

        assertThat(config.answer().capacity()).isEqualTo(7);
        assertThat(config.index().mergeTimeoutMs()).isEqualTo(900);
    }

    @Test
    void aMalformedNumberNamesItsKey() {
        assertThatThrownBy(() -> PipelineConfig.fromEnv(Map.of("DIFFRAG_ANSWER_TIMEOUT_MS", "soon")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("diffrag.answer.timeout-ms")
                .hasMessageContaining("soon");
    }

    @Test
    void configureAlignsCheckpointingWithTheDeliveryGuaranteeAndSetsARestartStrategy() {
        PipelineConfig exactlyOnce = PipelineConfig.fromEnv(Map.of(
                "DIFFRAG_DELIVERY_GUARANTEE", "exactly-once", "DIFFRAG_PARALLELISM", "3",
                "DIFFRAG_CHECKPOINT_DIR", "file:///tmp/ckpt"));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();

        RagJob.configure(env, exactlyOnce);

        assertThat(env.getCheckpointConfig().getCheckpointingConsistencyMode()).isEqualTo(CheckpointingMode.EXACTLY_ONCE);
        assertThat(env.getCheckpointConfig().getCheckpointInterval()).isEqualTo(exactlyOnce.checkpointIntervalMs());
        assertThat(env.getConfiguration().get(RestartStrategyOptions.RESTART_STRATEGY)).isEqualTo("exponential-delay");
        assertThat(env.getParallelism()).isEqualTo(3);
        assertThat(env.getConfiguration().get(CheckpointingOptions.CHECKPOINT_STORAGE)).isEqualTo("filesystem");
        assertThat(env.getConfiguration().get(CheckpointingOptions.CHECKPOINTS_DIRECTORY)).isEqualTo("file:///tmp/ckpt");

        StreamExecutionEnvironment atLeastOnce = StreamExecutionEnvironment.getExecutionEnvironment();
        RagJob.configure(atLeastOnce, PipelineConfig.defaults());
        assertThat(atLeastOnce.getCheckpointConfig().getCheckpointingConsistencyMode())
                .isEqualTo(CheckpointingMode.AT_LEAST_ONCE);
    }

    @Test
    void theRestartDelayDoublesFromOneSecondToOneMinuteAsDocumented() {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();

        RagJob.configure(env, PipelineConfig.defaults());

        var settings = env.getConfiguration();
        assertThat(settings.get(RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_INITIAL_BACKOFF))
                .isEqualTo(Duration.ofSeconds(1));
        assertThat(settings.get(RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_BACKOFF_MULTIPLIER))
                .isEqualTo(2.0);
        assertThat(settings.get(RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_MAX_BACKOFF))
                .isEqualTo(Duration.ofMinutes(1));
    }

    @Test
    void checkpointsOutliveACancelledJob() {
        // Keyed state is the only copy of documents older than the topic's retention: Flink's default deleted every
        // checkpoint on `flink cancel`, so a job started again had to re-read a topic that no longer held them.
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();

        RagJob.configure(env, PipelineConfig.defaults());

        assertThat(env.getConfiguration().get(CheckpointingOptions.EXTERNALIZED_CHECKPOINT_RETENTION))
                .isEqualTo(ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION);
    }
}
