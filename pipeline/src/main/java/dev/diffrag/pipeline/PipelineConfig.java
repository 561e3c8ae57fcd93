package dev.diffrag.pipeline;

import dev.diffrag.connectors.kafka.DeliveryGuarantee;
import dev.diffrag.connectors.kafka.KafkaConfig;
import dev.diffrag.pipeline.answer.AnswerConfig;
import dev.diffrag.pipeline.retrieve.IndexConfig;
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
 * @param deliveryGuarantee    the sinks' guarantee; also selects the checkpointing mode. Read from the same key as
 *                             {@link KafkaConfig#DELIVERY_GUARANTEE}, so one setting drives both
 * @param parallelism          the job's default parallelism; 0 keeps the environment's
 */
public record PipelineConfig(
        IndexConfig index,
        AnswerConfig answer,
        long checkpointIntervalMs,
        DeliveryGuarantee deliveryGuarantee,
        int parallelism) implements Serializable {

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
    public static final String CHECKPOINT_INTERVAL_MS = "diffrag.checkpoint-interval-ms";
    public static final String PARALLELISM = "diffrag.parallelism";

    public static PipelineConfig defaults() {
        return new PipelineConfig(
                IndexConfig.defaults(), AnswerConfig.defaults(), 10_000, DeliveryGuarantee.AT_LEAST_ONCE, 0);
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
        AnswerConfig answer = new AnswerConfig(
                values.text(ANSWERER, d.answer().answerer()),
                values.decimal(ABSTAIN_THRESHOLD, d.answer().abstainThreshold()),
                values.integer(ANSWER_BATCH_SIZE, d.answer().maxBatchSize()),
                values.longValue(ANSWER_BATCH_DELAY_MS, d.answer().maxBatchDelayMs()),
                values.longValue(ANSWER_TIMEOUT_MS, d.answer().timeoutMs()),
                values.integer(ANSWER_CAPACITY, d.answer().capacity()));
        String guarantee = settings.apply(KafkaConfig.DELIVERY_GUARANTEE);
        return new PipelineConfig(
                index,
                answer,
                values.longValue(CHECKPOINT_INTERVAL_MS, d.checkpointIntervalMs()),
                guarantee == null || guarantee.isBlank() ? d.deliveryGuarantee() : DeliveryGuarantee.parse(guarantee),
                values.integer(PARALLELISM, d.parallelism()));
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
