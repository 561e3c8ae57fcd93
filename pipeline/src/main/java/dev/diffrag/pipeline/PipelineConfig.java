package dev.diffrag.pipeline;

import static org.apache.flink.runtime.jobgraph.tasks.CheckpointCoordinatorConfiguration.MINIMAL_CHECKPOINT_TIME;

import dev.diffrag.connectors.kafka.DeliveryGuarantee;
import dev.diffrag.connectors.kafka.KafkaConfig;
import dev.diffrag.pipeline.answer.AnswerConfig;
import dev.diffrag.pipeline.answer.RemoteAnswererConfig;
import dev.diffrag.pipeline.retrieve.IndexConfig;
import dev.diffrag.pipeline.summarize.SummaryConfig;
import java.io.Serializable;
import java.util.Map;
import java.util.Properties;
import java.util.function.Function;

/**
 * Settings of the job itself (Kafka has its own, {@link KafkaConfig}). Read from properties keys such as
 * {@code diffrag.chunk-size} or from their environment variables ({@code DIFFRAG_CHUNK_SIZE}, named as in
 * {@link KafkaConfig#envName}); anything unset keeps its default. README.md lists every key.
 *
 * @param checkpointIntervalMs how often state and Kafka offsets are checkpointed; under exactly-once this is also
 *                             how often answers become visible to {@code read_committed} consumers
 * @param checkpointDirectory  where checkpoints are written (a URI Flink can write, e.g. {@code file:///data/ckpt} or
 *                             {@code s3://bucket/ckpt}); null keeps the cluster's own setting. The index state is
 *                             far above the 5 MB a checkpoint may hold in the job manager's memory, so a cluster
 *                             without a checkpoint directory needs this
 * @param deliveryGuarantee    the sinks' guarantee; also selects the checkpointing mode. Read from the same key as
 *                             {@link KafkaConfig#DELIVERY_GUARANTEE}, so one setting drives both
 * @param parallelism          the job's default parallelism; 0 keeps the environment's; negative is refused
 * @param summary              the summaries branch (used only when the job has a summaries sink)
 */
public record PipelineConfig(
        IndexConfig index,
        AnswerConfig answer,
        long checkpointIntervalMs,
        String checkpointDirectory,
        DeliveryGuarantee deliveryGuarantee,
        int parallelism,
        SummaryConfig summary) implements Serializable {

    public PipelineConfig {
        if (checkpointIntervalMs < MINIMAL_CHECKPOINT_TIME) { // else Flink refuses it in RagJob.configure, unnamed
            throw new IllegalArgumentException(CHECKPOINT_INTERVAL_MS + " must be at least " + MINIMAL_CHECKPOINT_TIME
                    + " (checkpointing is always on), got " + checkpointIntervalMs);
        }
        if (parallelism < 0) { // RagJob would silently keep the cluster's default, as for 0
            throw new IllegalArgumentException(
                    PARALLELISM + " must be 0 (the cluster's default) or positive, got " + parallelism);
        }
    }

    public static final String CHUNK_SIZE = "diffrag.chunk-size";
    public static final String CHUNK_OVERLAP = "diffrag.chunk-overlap";
    public static final String MAX_DOCUMENT_CHARS = "diffrag.max-document-chars";
    public static final String MAX_QUESTION_CHARS = "diffrag.max-question-chars";
    public static final String TOP_K = "diffrag.top-k";
    public static final String MERGE_TIMEOUT_MS = "diffrag.merge-timeout-ms";
    public static final String ANSWERER = "diffrag.answerer";
    public static final String ABSTAIN_THRESHOLD = "diffrag.abstain-threshold";
    public static final String ANSWER_BATCH_SIZE = "diffrag.answer.batch-size";
    public static final String ANSWER_BATCH_DELAY_MS = "diffrag.answer.batch-delay-ms";
    public static final String ANSWER_TIMEOUT_MS = "diffrag.answer.timeout-ms";
    public static final String ANSWER_CAPACITY = "diffrag.answer.capacity";
    public static final String ANSWER_REMOTE_URL = "diffrag.answer.remote-url";
    public static final String ANSWER_REMOTE_TIMEOUT_MS = "diffrag.answer.remote-timeout-ms";
    public static final String ANSWER_REMOTE_RETRIES = "diffrag.answer.remote-retries";
    public static final String ANSWER_REMOTE_MAX_IN_FLIGHT = "diffrag.answer.remote-max-in-flight";
    public static final String ANSWER_REMOTE_TOKEN = "diffrag.answer.remote-token";
    public static final String CHECKPOINT_INTERVAL_MS = "diffrag.checkpoint-interval-ms";
    public static final String CHECKPOINT_DIR = "diffrag.checkpoint-dir";
    public static final String PARALLELISM = "diffrag.parallelism";
    public static final String SUMMARIZER = "diffrag.summarizer";
    public static final String SUMMARY_MAX_SENTENCES = "diffrag.summary.max-sentences";
    public static final String SUMMARY_MAX_TOKENS = "diffrag.summary.max-tokens";
    public static final String SUMMARY_BATCH_SIZE = "diffrag.summary.batch-size";
    public static final String SUMMARY_BATCH_DELAY_MS = "diffrag.summary.batch-delay-ms";
    public static final String SUMMARY_TIMEOUT_MS = "diffrag.summary.timeout-ms";
    public static final String DIGEST_WINDOW_MS = "diffrag.digest.window-ms";
    public static final String DIGEST_SENTENCES = "diffrag.digest.sentences";
    public static final String DIGEST_MAX_CANDIDATES = "diffrag.digest.max-candidates";
    public static final String DIGEST_OUT_OF_ORDERNESS_MS = "diffrag.digest.out-of-orderness-ms";
    public static final String DIGEST_IDLENESS_MS = "diffrag.digest.idleness-ms";

    /** The settings without a summary section get the default one. */
    public PipelineConfig(IndexConfig index, AnswerConfig answer, long checkpointIntervalMs,
            String checkpointDirectory, DeliveryGuarantee deliveryGuarantee, int parallelism) {
        this(index, answer, checkpointIntervalMs, checkpointDirectory, deliveryGuarantee, parallelism,
                SummaryConfig.defaults());
    }

    public static PipelineConfig defaults() {
        return new PipelineConfig(
                IndexConfig.defaults(), AnswerConfig.defaults(), 10_000, null, DeliveryGuarantee.AT_LEAST_ONCE, 0);
    }

    /** This configuration with checkpoints written to {@code directory}. */
    public PipelineConfig withCheckpointDirectory(String directory) {
        return new PipelineConfig(index, answer, checkpointIntervalMs, directory, deliveryGuarantee, parallelism,
                summary);
    }

    public static PipelineConfig fromEnv(Map<String, String> env) {
        return from(key -> env.get(KafkaConfig.envName(key)));
    }

    public static PipelineConfig fromProperties(Properties properties) {
        return from(properties::getProperty);
    }

    private static PipelineConfig from(Function<String, String> settings) {
        Values values = new Values(settings);
        PipelineConfig d = defaults();
        IndexConfig index = new IndexConfig(
                values.integer(CHUNK_SIZE, d.index().chunkSize()),
                values.integer(CHUNK_OVERLAP, d.index().chunkOverlap()),
                values.integer(MAX_DOCUMENT_CHARS, d.index().maxDocumentChars()),
                values.integer(MAX_QUESTION_CHARS, d.index().maxQuestionChars()),
                values.integer(TOP_K, d.index().defaultTopK()),
                values.longValue(MERGE_TIMEOUT_MS, d.index().mergeTimeoutMs()));
        RemoteAnswererConfig remote = new RemoteAnswererConfig(
                values.text(ANSWER_REMOTE_URL, d.answer().remote().url()),
                values.longValue(ANSWER_REMOTE_TIMEOUT_MS, d.answer().remote().timeoutMs()),
                values.integer(ANSWER_REMOTE_RETRIES, d.answer().remote().retries()),
                values.integer(ANSWER_REMOTE_MAX_IN_FLIGHT, d.answer().remote().maxInFlight()),
                values.text(ANSWER_REMOTE_TOKEN, d.answer().remote().token()));
        AnswerConfig answer = new AnswerConfig(
                values.text(ANSWERER, d.answer().answerer()),
                values.decimal(ABSTAIN_THRESHOLD, d.answer().abstainThreshold()),
                values.integer(ANSWER_BATCH_SIZE, d.answer().maxBatchSize()),
                values.longValue(ANSWER_BATCH_DELAY_MS, d.answer().maxBatchDelayMs()),
                values.longValue(ANSWER_TIMEOUT_MS, d.answer().timeoutMs()),
                values.integer(ANSWER_CAPACITY, d.answer().capacity()),
                remote);
        SummaryConfig summary = new SummaryConfig(
                values.text(SUMMARIZER, d.summary().summarizer()),
                values.integer(SUMMARY_MAX_SENTENCES, d.summary().maxSentences()),
                values.integer(SUMMARY_MAX_TOKENS, d.summary().maxTokens()),
                values.longValue(DIGEST_WINDOW_MS, d.summary().digestWindowMs()),
                values.integer(DIGEST_SENTENCES, d.summary().digestSentences()),
                values.integer(DIGEST_MAX_CANDIDATES, d.summary().digestCandidates()),
                values.longValue(DIGEST_OUT_OF_ORDERNESS_MS, d.summary().outOfOrdernessMs()),
                values.longValue(DIGEST_IDLENESS_MS, d.summary().idleSourceMs()),
                values.integer(SUMMARY_BATCH_SIZE, d.summary().maxBatchSize()),
                values.longValue(SUMMARY_BATCH_DELAY_MS, d.summary().maxBatchDelayMs()),
                values.longValue(SUMMARY_TIMEOUT_MS, d.summary().timeoutMs()),
                remote);
        String guarantee = settings.apply(KafkaConfig.DELIVERY_GUARANTEE);
        return new PipelineConfig(
                index,
                answer,
                values.longValue(CHECKPOINT_INTERVAL_MS, d.checkpointIntervalMs()),
                values.text(CHECKPOINT_DIR, d.checkpointDirectory()),
                guarantee == null || guarantee.isBlank() ? d.deliveryGuarantee() : DeliveryGuarantee.parse(guarantee),
                values.integer(PARALLELISM, d.parallelism()),
                summary);
    }

    /** Typed look-ups that name the offending key in their error. */
    private record Values(Function<String, String> settings) {
        String text(String key, String fallback) {
            String value = settings.apply(key);
            return value == null || value.isBlank() ? fallback : value.trim();
        }

        int integer(String key, int fallback) {
            return (int) parse(key, fallback, Integer::parseInt);
        }

        long longValue(String key, long fallback) {
            return (long) parse(key, fallback, Long::parseLong);
        }

        double decimal(String key, double fallback) {
            return (double) parse(key, fallback, Double::parseDouble);
        }

        private Object parse(String key, Object fallback, Function<String, Object> parser) {
            String value = text(key, null);
            if (value == null) {
                return fallback;
            }
            try {
                return parser.apply(value);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(key + " must be a number, got '" + value + "'");
            }
        }
    }
}
