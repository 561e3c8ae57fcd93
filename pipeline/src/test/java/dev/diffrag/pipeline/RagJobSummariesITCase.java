package dev.diffrag.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.diffrag.connectors.Json;
import dev.diffrag.connectors.kafka.DeliveryGuarantee;
import dev.diffrag.connectors.kafka.KafkaClients;
import dev.diffrag.connectors.kafka.KafkaConfig;
import dev.diffrag.connectors.kafka.KafkaSources;
import dev.diffrag.connectors.kafka.RawRecord;
import dev.diffrag.connectors.kafka.RawRecordDeserializer;
import dev.diffrag.connectors.kafka.TopicAdmin;
import dev.diffrag.connectors.kafka.TopicRole;
import dev.diffrag.connectors.local.EmbeddedKafka;
import dev.diffrag.connectors.records.DocumentOp;
import dev.diffrag.connectors.records.DocumentRecord;
import dev.diffrag.connectors.records.QuestionRecord;
import dev.diffrag.connectors.records.SummaryRecord;
import dev.diffrag.pipeline.answer.AnswerConfig;
import dev.diffrag.pipeline.retrieve.IndexConfig;
import dev.diffrag.pipeline.summarize.SummaryConfig;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.BiFunction;
import java.util.function.BooleanSupplier;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The summaries branch inside the whole RAG graph, with in-memory sources and sinks. */
class RagJobSummariesITCase {

    @RegisterExtension
    static final MiniClusterExtension CLUSTER = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1)
            .setNumberSlotsPerTaskManager(2)
            .build());

    private static final String V1 = "The museum reopens in June. Tickets go on sale next week. Entry stays free.";
    private static final String V2 = "The museum reopens in July instead. Building work ran late. Entry stays free.";

    /** Documents as (offset, JSON) so the source function stays serializable. */
    private static final List<String> DOCUMENTS = List.of(
            json(new DocumentRecord("acme", "museum", DocumentOp.UPSERT, "Museum", V1, null, 1_000L, null)),
            "{\"tenant\": \"acme\", \"id\": ",
            json(new DocumentRecord("acme", "museum", DocumentOp.UPSERT, "Museum", V2, null, 2_000L, null)),
            json(new DocumentRecord("acme", "old", DocumentOp.DELETE, null, null, null, 3_000L, null)));
    private static final List<String> DOCUMENT_KEYS = List.of("acme/museum", "acme/broken", "acme/museum", "acme/old");

    static final Queue<SummaryRecord> SUMMARIES = new ConcurrentLinkedQueue<>();

    @Test
    void everyVersionGetsASummaryAndTheWindowADigest() throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        // One source reader: a generator split over two readers could deliver version 2 before version 0, which the
        // job (rightly) treats as a stale replay; Kafka keeps one document's versions in order on one partition.
        env.setParallelism(1);
        PipelineConfig config = new PipelineConfig(IndexConfig.defaults(), AnswerConfig.baseline(), 10_000, null,
                DeliveryGuarantee.AT_LEAST_ONCE, 1, new SummaryConfig("lead-2", 2, 0, 60_000, 5, 0, 1_000));
        SUMMARIES.clear();
        RagJob.Endpoints endpoints = new RagJob.Endpoints(
                new DataGeneratorSource<>(RagJobSummariesITCase::document, DOCUMENTS.size(),
                        TypeInformation.of(RawRecord.class)),
                new DataGeneratorSource<>(RagJobSummariesITCase::question, 1, TypeInformation.of(RawRecord.class)),
                new DiscardingSink<>(), new DiscardingSink<>())
                .withSummaries(new CollectingSink());

        RagJob.build(env, config, endpoints);
        env.execute("rag-with-summaries");

        List<SummaryRecord> out = new ArrayList<>(SUMMARIES);
        List<SummaryRecord> museum = out.stream()
                .filter(r -> r.kind() == SummaryRecord.Kind.DOCUMENT && "museum".equals(r.docId())).toList();
        assertThat(museum).extracting(SummaryRecord::docVersion).containsExactly(0L, 2L);
        assertThat(museum.get(1).sentences()).extracting(SummaryRecord.Sentence::text)
                .containsExactly("The museum reopens in July instead.", "Building work ran late.");
        museum.get(1).sentences().forEach(s -> assertThat(V2.substring(s.start(), s.end())).isEqualTo(s.text()));
        assertThat(out).filteredOn(r -> "old".equals(r.docId())).extracting(SummaryRecord::deleted)
                .containsExactly(true);

        List<SummaryRecord> digests = out.stream().filter(r -> r.kind() == SummaryRecord.Kind.DIGEST).toList();
        assertThat(digests).hasSize(1);
        assertThat(digests.get(0).window()).isEqualTo(new SummaryRecord.Window(0, 60_000));
        assertThat(digests.get(0).sentences()).allSatisfy(s -> {
            assertThat(s.docVersion()).isEqualTo(2L); // the latest version only
            assertThat(V2.substring(s.start(), s.end())).isEqualTo(s.text());
        });
    }

    @Test
    void aBacklogOnSeveralPartitionsLosesNoDocumentFromTheDigests() throws Exception {
        // Two minutes of documents on each of two partitions, all written before the job starts (a job catching up
        // after downtime): one source reader reads one partition's records well ahead of the other's.
        int perPartition = 120;
        List<String> sent = new ArrayList<>();
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            KafkaConfig kafkaConfig = kafka.config().toBuilder().partitions(TopicRole.DOCUMENTS, 2).build();
            TopicAdmin.ensureTopics(kafkaConfig);
            try (KafkaProducer<String, byte[]> producer = KafkaClients.producer(kafkaConfig)) {
                for (int i = 0; i < perPartition; i++) {
                    for (int partition = 0; partition < 2; partition++) {
                        String id = "p" + partition + "-" + i;
                        DocumentRecord doc = new DocumentRecord("acme", id, DocumentOp.UPSERT, null,
                                "Report " + id + " is filed.", null, 1_000L * (i + 1), null);
                        producer.send(new ProducerRecord<>(kafkaConfig.documentsTopic(), partition, doc.key(),
                                Json.toBytes(doc)));
                        sent.add(id);
                    }
                }
            }
            summariesJob(kafkaConfig, new SummaryConfig("lead-40", 1, 0, 10_000, 40, 0, 30_000),
                    RagJobSummariesITCase::boundedSource).execute("backlog-digests");
        }

        List<String> digested = SUMMARIES.stream().filter(r -> r.kind() == SummaryRecord.Kind.DIGEST)
                .flatMap(r -> r.sentences().stream()).map(SummaryRecord.Sentence::docId).toList();
        assertThat(digested).containsExactlyInAnyOrderElementsOf(sent);
    }

    @Test
    void theLastWindowsDigestIsWrittenWhenDocumentsStop() throws Exception {
        // A live topic that goes quiet: no later document pushes the watermark past the last window; the caught-up
        // partition's watermark follows the clock once it has been quiet for the idleness timeout.
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            KafkaConfig kafkaConfig = kafka.config();
            TopicAdmin.ensureTopics(kafkaConfig);
            JobClient job = summariesJob(kafkaConfig, new SummaryConfig("lead-40", 1, 0, 1_000, 40, 200, 2_000),
                    KafkaSources::raw).executeAsync("quiet-digests");
            try (KafkaProducer<String, byte[]> producer = KafkaClients.producer(kafkaConfig)) {
                // live documents until the job has summarized one, so the partition has caught up with its producer
                String last = null;
                long deadline = System.currentTimeMillis() + 120_000;
                for (int i = 0; SUMMARIES.isEmpty() && System.currentTimeMillis() < deadline; i++) {
                    last = "live-" + i;
                    DocumentRecord doc = new DocumentRecord("acme", last, DocumentOp.UPSERT, null,
                            "Report " + last + " is filed.", null, System.currentTimeMillis(), null);
                    producer.send(new ProducerRecord<>(kafkaConfig.documentsTopic(), doc.key(), Json.toBytes(doc)))
                            .get();
                    Thread.sleep(200);
                }
                String lastSent = last;
                waitFor(() -> SUMMARIES.stream().filter(r -> r.kind() == SummaryRecord.Kind.DIGEST)
                        .flatMap(r -> r.sentences().stream()).anyMatch(s -> s.docId().equals(lastSent)), 60_000);
            } finally {
                job.cancel().get();
            }
        }
    }

    private static void waitFor(BooleanSupplier condition, long timeoutMs)
            throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeoutMs;
        while (!condition.getAsBoolean()) {
            assertThat(System.currentTimeMillis()).as(() -> "waited " + timeoutMs + " ms; summaries so far: " + SUMMARIES)
                    .isLessThan(deadline);
            Thread.sleep(100);
        }
    }

    /** The graph with summaries into {@link #SUMMARIES}, one source reader, on sources of {@code kafka}'s topics. */
    private static StreamExecutionEnvironment summariesJob(KafkaConfig kafka, SummaryConfig summaries,
            BiFunction<KafkaConfig, String, KafkaSource<RawRecord>> source) {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(1);
        PipelineConfig config = new PipelineConfig(IndexConfig.defaults(), AnswerConfig.baseline(), 10_000, null,
                DeliveryGuarantee.AT_LEAST_ONCE, 1, summaries);
        SUMMARIES.clear();
        RagJob.build(env, config, new RagJob.Endpoints(source.apply(kafka, kafka.documentsTopic()),
                source.apply(kafka, kafka.questionsTopic()), new DiscardingSink<>(), new DiscardingSink<>())
                .withSummaries(new CollectingSink()));
        return env;
    }

    /** The records of {@code topic} written so far. */
    private static KafkaSource<RawRecord> boundedSource(KafkaConfig config, String topic) {
        return KafkaSource.<RawRecord>builder()
                .setProperties(KafkaSources.sourceProperties(config))
                .setBootstrapServers(config.bootstrapServers())
                .setTopics(topic)
                .setStartingOffsets(OffsetsInitializer.earliest())
                .setBounded(OffsetsInitializer.latest())
                .setDeserializer(new RawRecordDeserializer())
                .build();
    }

    @Test
    void withoutASummariesSinkTheGraphHasNoSummariesBranch() {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        RagJob.build(env, PipelineConfig.defaults(), new RagJob.Endpoints(
                new DataGeneratorSource<>(RagJobSummariesITCase::document, DOCUMENTS.size(),
                        TypeInformation.of(RawRecord.class)),
                new DataGeneratorSource<>(RagJobSummariesITCase::question, 1, TypeInformation.of(RawRecord.class)),
                new DiscardingSink<>(), new DiscardingSink<>()));

        assertThat(env.getStreamGraph().getStreamNodes()).extracting(node -> node.getOperatorName())
                .noneMatch(name -> name.toLowerCase().contains("summar") || name.toLowerCase().contains("digest"));
    }

    private static RawRecord document(long index) {
        return new RawRecord("documents", 0, index, DOCUMENT_KEYS.get((int) index),
                DOCUMENTS.get((int) index).getBytes(StandardCharsets.UTF_8), 0);
    }

    private static RawRecord question(long index) {
        return new RawRecord("questions", 0, index, "acme/q",
                Json.toBytes(new QuestionRecord("acme", "q", "When does the museum reopen?", 3, 5_000L)), 5_000);
    }

    private static String json(DocumentRecord record) {
        return new String(Json.toBytes(record), StandardCharsets.UTF_8);
    }

    /** Collects into {@link #SUMMARIES} (one JVM: the MiniCluster runs in the test's). */
    private static final class CollectingSink implements Sink<SummaryRecord> {
        @Override
        public SinkWriter<SummaryRecord> createWriter(WriterInitContext context) {
            return new SinkWriter<>() {
                @Override
                public void write(SummaryRecord element, Context context) {
                    SUMMARIES.add(element);
                }

                @Override
                public void flush(boolean endOfInput) {}

                @Override
                public void close() {}
            };
        }
    }
}
