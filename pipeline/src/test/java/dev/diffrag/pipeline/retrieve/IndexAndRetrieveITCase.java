package dev.diffrag.pipeline.retrieve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.diffrag.connectors.Json;
import dev.diffrag.connectors.kafka.RawRecord;
import dev.diffrag.connectors.records.DeadLetterRecord;
import dev.diffrag.connectors.records.DocumentRecord;
import dev.diffrag.connectors.records.QuestionRecord;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.source.legacy.SourceFunction;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@link IndexAndRetrieve#build} on a MiniCluster with parallelism 2, in-memory sources and the real embedder. */
class IndexAndRetrieveITCase {

    private static final InMemoryReporter METRICS = InMemoryReporter.createWithRetainedMetrics();

    @RegisterExtension
    static final MiniClusterExtension CLUSTER = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1)
            .setNumberSlotsPerTaskManager(2)
            .setConfiguration(METRICS.addToConfiguration(new Configuration()))
            .build());

    private static final String FLINK = "Apache Flink is a framework for stateful computations over data streams. "
            + "Flink keeps operator state in state backends and snapshots it with checkpoints.\n\n"
            + "Checkpoints let a Flink job recover its state after a failure and resume exactly where it stopped.";
    private static final String KAFKA = "Apache Kafka is a distributed event log. Producers append records to "
            + "partitioned topics and consumers read them in offset order.";
    private static final String GARDEN = "Tomatoes need full sun and regular watering; mulch keeps the soil moist.";

    /** Set by the test once it has seen the answer it waits for; the question source then ends. */
    private static final AtomicBoolean ENOUGH = new AtomicBoolean();

    @Test
    void retrievesTheCurrentVersionsOfTheQuestionersTenantOnly() throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(2);
        List<RawRecord> documents = List.of(
                document(0, DocumentRecord.upsert("acme", "flink", "Flink", GARDEN)),
                document(1, DocumentRecord.upsert("acme", "kafka", "Kafka", KAFKA)),
                document(2, DocumentRecord.upsert("other", "flink", "Flink", FLINK)),
                raw("documents", 3, "acme/broken", "{\"tenant\": \"acme\", \"id\": "),
                document(4, DocumentRecord.upsert("acme", "old", "Old", FLINK)),
                document(5, DocumentRecord.delete("acme", "old")),
                document(6, DocumentRecord.upsert("acme", "flink", "Flink", FLINK)));
        var docs = env.fromData(documents, TypeInformation.of(RawRecord.class)).setParallelism(1);
        var questions = env.addSource(new RepeatedQuestion(), "questions", TypeInformation.of(RawRecord.class))
                .setParallelism(1);

        IndexAndRetrieve.Streams streams = IndexAndRetrieve.build(docs, questions, IndexConfig.defaults());
        ENOUGH.set(false);
        CloseableIterator<RetrievalResult> retrievals = streams.retrievals().collectAsync();
        CloseableIterator<DeadLetterRecord> deadLetters = streams.deadLetters().collectAsync();
        JobClient job = env.executeAsync("index-and-retrieve");

        List<RetrievalResult> results = new ArrayList<>();
        while (!ENOUGH.get() && retrievals.hasNext()) {
            RetrievalResult result = retrievals.next();
            results.add(result);
            List<RetrievedPassage> passages = result.passages();
            // Done once the update of acme/flink and the delete of acme/old are both visible.
            ENOUGH.set(!passages.isEmpty()
                    && passages.get(0).docVersion() == 6
                    && passages.stream().noneMatch(p -> p.docId().equals("old")));
        }
        retrievals.forEachRemaining(results::add);
        List<DeadLetterRecord> dead = new ArrayList<>();
        deadLetters.forEachRemaining(dead::add);
        job.getJobExecutionResult().get();

        assertThat(ENOUGH).as("a question saw the current acme/flink").isTrue();
        Map<String, String> textByVersion = Map.of("flink@0", GARDEN, "kafka@1", KAFKA, "old@4", FLINK, "flink@6", FLINK);
        assertThat(results).allSatisfy(result -> {
            assertThat(result.question().tenant()).isEqualTo("acme");
            assertThat(result.passages()).allSatisfy(p -> {
                assertThat(p.chunkId()).startsWith("acme/");
                String original = textByVersion.get(p.docId() + "@" + p.docVersion());
                assertThat(p.text()).isEqualTo(original.substring(p.start(), p.end()));
            });
        });
        assertThat(dead).extracting(DeadLetterRecord::sourceTopic, DeadLetterRecord::offset)
                .containsExactlyInAnyOrder(tuple("documents", 3L), tuple("questions", 0L));
        assertThat(dead).allSatisfy(d -> assertThat(d.error()).isNotBlank());
        long waits = METRICS.findMetrics(job.getJobID(), "mergeWaitMs").values().stream()
                .mapToLong(metric -> ((Histogram) metric).getCount())
                .sum();
        assertThat(waits).as("one wait per merged question, over the merge's subtasks").isEqualTo(results.size());
    }

    private static RawRecord document(long offset, DocumentRecord doc) {
        return raw("documents", offset, doc.key(), Json.toString(doc));
    }

    private static RawRecord raw(String topic, long offset, String key, String json) {
        return new RawRecord(topic, 0, offset, key, json.getBytes(StandardCharsets.UTF_8), 1_000L);
    }

    /** A malformed question, then the same question under new ids every 200 ms until the test has seen enough. */
    private static final class RepeatedQuestion implements SourceFunction<RawRecord> {
        private volatile boolean running = true;

        @Override
        public void run(SourceContext<RawRecord> ctx) throws Exception {
            ctx.collect(raw("questions", 0, "acme/bad", "{\"tenant\": \"acme\", \"id\": \"bad\", \"question\": \" \"}"));
            long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
            for (int n = 1; running && !ENOUGH.get() && System.nanoTime() < deadline; n++) {
                QuestionRecord question = QuestionRecord.of("acme", "q" + n, "How does Flink recover state after a failure?");
                ctx.collect(raw("questions", n, question.key(), Json.toString(question)));
                Thread.sleep(200);
            }
        }

        @Override
        public void cancel() {
            running = false;
        }
    }
}
