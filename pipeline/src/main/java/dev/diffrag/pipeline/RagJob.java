package dev.diffrag.pipeline;

import dev.diffrag.connectors.kafka.DeliveryGuarantee;
import dev.diffrag.connectors.kafka.KafkaConfig;
import dev.diffrag.connectors.kafka.KafkaSinks;
import dev.diffrag.connectors.kafka.KafkaSources;
import dev.diffrag.connectors.kafka.RawRecord;
import dev.diffrag.connectors.kafka.TopicAdmin;
import dev.diffrag.connectors.records.AnswerRecord;
import dev.diffrag.connectors.records.DeadLetterRecord;
import dev.diffrag.connectors.records.SummaryRecord;
import dev.diffrag.pipeline.answer.AnswerMetrics;
import dev.diffrag.pipeline.answer.AnswerQuestions;
import dev.diffrag.pipeline.answer.AnswererFactory;
import dev.diffrag.pipeline.retrieve.IndexAndRetrieve;
import dev.diffrag.pipeline.retrieve.RetrievalResult;
import dev.diffrag.pipeline.summarize.DocumentEventTime;
import dev.diffrag.pipeline.summarize.Summaries;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.ExternalizedCheckpointRetention;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.streaming.api.datastream.AsyncDataStream;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The streaming RAG job: documents and questions in, answers and dead letters out. Sources and sinks are injected
 * ({@link Endpoints}) so tests and the local stack can run the very same graph; {@link #main} wires Kafka.
 *
 * <pre>
 * documents ─▶ parse+chunk ─▶ embed ─▶ keyBy(tenant/doc) ─▶ hybrid index ◀─ broadcast ◀─ embed ◀─ parse ◀─ questions
 *                 │                                             │                                   │
 *                 └──────────── malformed ─▶ dead-letter ◀─────────────────────────────────────────┘
 *                                                               ▼
 *                                       keyBy(question) ─▶ merge top-k ─▶ answer (async, batched) ─▶ answers
 *
 * documents ─▶ summarize each version ─▶ summaries; ─▶ event-time windows per tenant/topic ─▶ digests ─▶ summaries
 *              (optional branch, only with a summaries sink; see {@link Summaries})
 * </pre>
 */
public final class RagJob {

    /**
     * Where the job reads and writes. {@code summaries} is optional: without it the job has no summaries branch at
     * all.
     */
    public record Endpoints(
            Source<RawRecord, ?, ?> documents,
            Source<RawRecord, ?, ?> questions,
            Sink<AnswerRecord> answers,
            Sink<DeadLetterRecord> deadLetters,
            Sink<SummaryRecord> summaries) {

        /** Endpoints without summaries. */
        public Endpoints(Source<RawRecord, ?, ?> documents, Source<RawRecord, ?, ?> questions,
                Sink<AnswerRecord> answers, Sink<DeadLetterRecord> deadLetters) {
            this(documents, questions, answers, deadLetters, null);
        }

        /** These endpoints with document summaries and digests written to {@code sink}. */
        public Endpoints withSummaries(Sink<SummaryRecord> sink) {
            return new Endpoints(documents, questions, answers, deadLetters, sink);
        }

        /** The summaries topic of {@code kafka}. */
        public static Sink<SummaryRecord> kafkaSummaries(KafkaConfig kafka) {
            return KafkaSinks.summaries(kafka);
        }

        /** The Kafka topics named by {@code kafka}, with its delivery guarantee. */
        public static Endpoints kafka(KafkaConfig kafka) {
            return new Endpoints(
                    KafkaSources.raw(kafka, kafka.documentsTopic()),
                    KafkaSources.raw(kafka, kafka.questionsTopic()),
                    KafkaSinks.answers(kafka),
                    KafkaSinks.deadLetters(kafka));
        }
    }

    private RagJob() {}

    /**
     * Checkpointing (aligned with the delivery guarantee, written to the configured directory), an exponential-delay
     * restart strategy, parallelism. A failing task restarts after 1 s, doubling to at most 1 min, so a broker outage
     * does not spin the cluster.
     */
    public static void configure(StreamExecutionEnvironment env, PipelineConfig config) {
        env.enableCheckpointing(
                config.checkpointIntervalMs(),
                config.deliveryGuarantee() == DeliveryGuarantee.EXACTLY_ONCE
                        ? CheckpointingMode.EXACTLY_ONCE
                        : CheckpointingMode.AT_LEAST_ONCE);
        Configuration settings = new Configuration();
        settings.set(RestartStrategyOptions.RESTART_STRATEGY, "exponential-delay");
        settings.set(RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_INITIAL_BACKOFF, Duration.ofSeconds(1));
        settings.set(RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_BACKOFF_MULTIPLIER, 2.0); // Flink's: 1.5
        settings.set(RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_MAX_BACKOFF, Duration.ofMinutes(1));
        // Keyed state is the only copy of documents older than the topic's retention: a cancelled job keeps its
        // last checkpoint to start again from (Flink's default deletes it).
        settings.set(CheckpointingOptions.EXTERNALIZED_CHECKPOINT_RETENTION,
                ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION);
        if (config.checkpointDirectory() != null) {
            settings.set(CheckpointingOptions.CHECKPOINT_STORAGE, "filesystem");
            settings.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, config.checkpointDirectory());
        }
        env.configure(settings);
        if (config.parallelism() > 0) {
            env.setParallelism(config.parallelism());
        }
    }

    /** Adds the job's operators to {@code env}; every stateful operator has a fixed uid so savepoints restore. */
    public static void build(StreamExecutionEnvironment env, PipelineConfig config, Endpoints endpoints) {
        // Event time matters to the digests alone; without them the source reads no producer times.
        WatermarkStrategy<RawRecord> documentTime = endpoints.summaries() != null
                ? DocumentEventTime.forDocuments(config.summary())
                : WatermarkStrategy.noWatermarks();
        DataStream<RawRecord> documents = env
                .fromSource(endpoints.documents(), documentTime, "documents")
                .uid("documents-source");
        DataStream<RawRecord> questions = env
                .fromSource(endpoints.questions(), WatermarkStrategy.noWatermarks(), "questions")
                .uid("questions-source");

        IndexAndRetrieve.Streams retrieval = IndexAndRetrieve.build(documents, questions, config.index());

        answer(retrieval.retrievals(), config)
                .sinkTo(endpoints.answers())
                .uid("answers-sink")
                .name("answers");
        retrieval.deadLetters()
                .sinkTo(endpoints.deadLetters())
                .uid("dead-letter-sink")
                .name("dead-letter");

        if (endpoints.summaries() != null) {
            Summaries.build(documents, config.summary(), config.index().maxDocumentChars())
                    .sinkTo(endpoints.summaries())
                    .uid("summaries-sink")
                    .name("summaries");
        }
    }

    /**
     * The answering stage. Async I/O keeps up to {@code capacity} questions in flight per subtask while the
     * answerer works on batches; unordered, because answers are keyed by their question and need no order.
     */
    static DataStream<AnswerRecord> answer(DataStream<RetrievalResult> retrievals, PipelineConfig config) {
        var answerConfig = config.answer();
        return AsyncDataStream.unorderedWait(
                        retrievals,
                        new AnswerQuestions(AnswererFactory.of(answerConfig), answerConfig),
                        answerConfig.timeoutMs(),
                        TimeUnit.MILLISECONDS,
                        answerConfig.capacity())
                .uid("answer-questions")
                .name("Answer questions (" + answerConfig.answerer() + ")")
                .map(new AnswerMetrics())
                .uid("answer-metrics")
                .name("Answer metrics");
    }

    /**
     * Runs the job against Kafka: {@code flink run diffrag-pipeline-job.jar [settings.properties]}. Settings come
     * from the optional properties file, else from the environment ({@code KAFKA_*}, {@code DIFFRAG_*}).
     */
    public static void main(String[] args) throws Exception {
        KafkaConfig kafka;
        PipelineConfig config;
        if (args.length > 0) {
            Properties properties;
            try {
                properties = KafkaConfig.propertiesFromFile(Path.of(args[0]));
            } catch (IOException e) {
                throw new IllegalArgumentException("cannot read settings file " + args[0] + ": " + e.getMessage(), e);
            }
            kafka = KafkaConfig.fromProperties(properties);
            config = PipelineConfig.fromProperties(properties);
        } else {
            kafka = KafkaConfig.fromEnv();
            config = PipelineConfig.fromEnv(System.getenv());
        }
        TopicAdmin.ensureTopics(kafka);

        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        configure(env, config);
        build(env, config, Endpoints.kafka(kafka).withSummaries(Endpoints.kafkaSummaries(kafka)));
        env.execute("diffrag RAG job");
    }
}
