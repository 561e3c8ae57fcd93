package dev.diffrag.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.diffrag.connectors.kafka.DeliveryGuarantee;
import dev.diffrag.connectors.kafka.KafkaConfig;
import dev.diffrag.connectors.kafka.StartingOffsets;
import dev.diffrag.connectors.kafka.TopicAdmin;
import dev.diffrag.connectors.kafka.TopicRole;
import dev.diffrag.connectors.local.EmbeddedKafka;
import dev.diffrag.connectors.records.AnswerRecord;
import dev.diffrag.connectors.records.Citation;
import dev.diffrag.connectors.records.DeadLetterRecord;
import dev.diffrag.connectors.records.QuestionRecord;
import dev.diffrag.connectors.records.RetrievedChunk;
import dev.diffrag.pipeline.answer.AnswerConfig;
import dev.diffrag.pipeline.local.RagClient;
import dev.diffrag.pipeline.retrieve.IndexConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole job end to end: a real in-process Kafka broker, the job on a Flink MiniCluster with parallelism 2, the
 * real embedder and the baseline answerer (the pipeline's mechanics; the reader's own end-to-end test is
 * {@code LocalStackITCase}). One broker and one running job are shared by all tests (each test uses its
 * own tenant or documents); the savepoint and exactly-once tests run last because they replace the job.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RagJobITCase {

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1)
            .setNumberSlotsPerTaskManager(2)
            .build());

    private static final Duration WAIT = Duration.ofSeconds(90);
    /** Small chunks, so a short document still has several and re-chunking can shrink it; small size limits. */
    private static final PipelineConfig SETTINGS = new PipelineConfig(
            new IndexConfig(200, 40, 5_000, 300, 5, 5_000),
            AnswerConfig.baseline(),
            1_000,
            null,
            DeliveryGuarantee.AT_LEAST_ONCE,
            2);

    @TempDir
    static Path checkpoints;

    private static final String WHALES = "Blue whales are the largest animals ever known to have lived. "
            + "Blue whales feed almost exclusively on krill, eating up to four tonnes a day.";

    private static EmbeddedKafka kafka;
    private static KafkaConfig kafkaConfig;
    private static RagClient client;
    private static JobClient job;

    @BeforeAll
    static void startBrokerAndJob() throws Exception {
        kafka = EmbeddedKafka.start();
        kafkaConfig = kafka.config();
        TopicAdmin.ensureTopics(kafkaConfig);
        job = submit(new Configuration(), kafkaConfig);
        client = new RagClient(kafkaConfig);
    }

    private static JobClient submit(Configuration configuration, KafkaConfig kafka) throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        PipelineConfig config = SETTINGS.withCheckpointDirectory(checkpoints.toUri().toString());
        RagJob.configure(env, config);
        env.configure(configuration);
        RagJob.build(env, config, RagJob.Endpoints.kafka(kafka));
        return env.executeAsync("rag-job-itcase");
    }

    @AfterAll
    static void stop() throws Exception {
        if (job != null) {
            job.cancel().get();
        }
        if (client != null) {
            client.close();
        }
        if (kafka != null) {
            kafka.close();
        }
    }

    private static AnswerRecord ask(String tenant, String question) {
        return RagClient.await(client.ask(tenant, question), WAIT);
    }

    private static AnswerRecord ask(String tenant, String question, int topK) {
        QuestionRecord record = new QuestionRecord(
                tenant, UUID.randomUUID().toString(), question, topK, System.currentTimeMillis());
        return RagClient.await(client.ask(record), WAIT);
    }

    /** Asks until the answer satisfies {@code condition}; the changes the tests wait for are asynchronous. */
    private static AnswerRecord askUntil(String tenant, String question, Predicate<AnswerRecord> condition) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        AnswerRecord answer = ask(tenant, question);
        while (!condition.test(answer) && System.nanoTime() < deadline) {
            answer = ask(tenant, question);
        }
        assertThat(condition).as("last answer %s", answer).accepts(answer);
        return answer;
    }

    private static boolean retrieves(AnswerRecord answer, String chunkPrefix) {
        return answer.retrieved().stream().anyMatch(chunk -> chunk.chunkId().startsWith(chunkPrefix));
    }

    private static void assertCitationsQuoteTheirDocument(AnswerRecord answer, String document) {
        assertThat(answer.citations()).isNotEmpty().allSatisfy(citation ->
                assertThat(document.substring(citation.start(), citation.end())).isEqualTo(citation.text()));
    }

    @Test
    @Order(1)
    void anUpsertedDocumentIsCitedInTheAnswer() {
        long version = client.upsert("t-upsert", "whales", "Blue whale", WHALES);
        client.awaitSearchable("t-upsert", "whales", version, "Blue whale", WAIT);

        AnswerRecord answer = ask("t-upsert", "What do blue whales feed on?");

        assertThat(answer.abstained()).isFalse();
        assertThat(answer.answer()).contains("krill");
        assertThat(answer.model()).isEqualTo("baseline-sentence");
        assertThat(answer.latencyMs()).isPositive();
        Citation citation = answer.citations().get(0);
        assertThat(citation.docId()).isEqualTo("whales");
        assertThat(citation.docVersion()).isEqualTo(version);
        assertCitationsQuoteTheirDocument(answer, WHALES);
    }

    @Test
    @Order(2)
    void anUpdatedDocumentsOldTextIsNeverCitedAgain() {
        String before = "The museum opens at nine in the morning. Tickets cost twelve euros for adults.";
        String after = "The museum opens at ten in the morning. Tickets cost fifteen euros for adults.";
        long v1 = client.upsert("t-update", "museum", "Museum", before);
        client.awaitSearchable("t-update", "museum", v1, "museum opening hours", WAIT);
        long v2 = client.upsert("t-update", "museum", "Museum", after);
        client.awaitSearchable("t-update", "museum", v2, "museum opening hours", WAIT);

        for (String question : List.of("When does the museum open?", "How much does a ticket cost?",
                "Does the museum open at nine?", "Do tickets cost twelve euros?")) {
            AnswerRecord answer = ask("t-update", question);
            assertThat(retrieves(answer, "t-update/museum@" + v1 + "#")).as("retrieved %s", answer.retrieved()).isFalse();
            assertThat(answer.citations()).allSatisfy(c -> assertThat(c.docVersion()).isEqualTo(v2));
            if (!answer.abstained()) {
                assertThat(answer.answer()).doesNotContain("nine", "twelve");
                assertCitationsQuoteTheirDocument(answer, after);
            }
        }
    }

    @Test
    @Order(3)
    void aDeletedDocumentIsNeverCited() {
        String recipe = "Sourdough bread needs a starter of flour and water. The dough rises overnight.";
        long version = client.upsert("t-delete", "bread", "Sourdough", recipe);
        client.awaitSearchable("t-delete", "bread", version, "sourdough bread", WAIT);
        client.delete("t-delete", "bread");

        AnswerRecord gone = askUntil("t-delete", "How does sourdough bread rise?",
                answer -> !retrieves(answer, "t-delete/bread@"));

        assertThat(gone.abstained()).isTrue();
        assertThat(gone.reason()).isEqualTo("no-passages");
        for (int i = 0; i < 3; i++) {
            assertThat(ask("t-delete", "What is a sourdough starter made of?").citations()).isEmpty();
        }
    }

    @Test
    @Order(4)
    void reChunkingIntoFewerChunksLeavesNoOrphans() {
        StringBuilder longText = new StringBuilder();
        for (String planet : List.of("Mercury", "Venus", "Earth", "Mars", "Jupiter", "Saturn", "Uranus", "Neptune")) {
            longText.append(planet).append(" is a planet of the solar system with its own orbit, moons and seasons. ");
        }
        long v1 = client.upsert("t-rechunk", "planets", "Planets", longText.toString().strip());
        client.awaitSearchable("t-rechunk", "planets", v1, "Saturn orbit", WAIT);
        assertThat(ask("t-rechunk", "Which planets are there?", 20).retrieved())
                .as("the first version has several chunks").hasSizeGreaterThan(2);

        String shortText = "Mercury is the smallest planet.";
        long v2 = client.upsert("t-rechunk", "planets", "Planets", shortText);
        client.awaitSearchable("t-rechunk", "planets", v2, "Mercury", WAIT);

        AnswerRecord answer = ask("t-rechunk", "Which planet has moons and seasons like Saturn?", 20);
        assertThat(answer.retrieved()).extracting(RetrievedChunk::chunkId)
                .containsExactly("t-rechunk/planets@" + v2 + "#0");
    }

    @Test
    @Order(5)
    void tenantsNeverSeeEachOthersDocuments() {
        String red = "The launch code of the project is stored in the red vault. The red team owns it.";
        String blue = "The launch code of the project is stored in the blue vault. The blue team owns it.";
        long redVersion = client.upsert("red", "secrets", "Launch code", red);
        long blueVersion = client.upsert("blue", "secrets", "Launch code", blue);
        client.awaitSearchable("red", "secrets", redVersion, "launch code", WAIT);
        client.awaitSearchable("blue", "secrets", blueVersion, "launch code", WAIT);

        for (String tenant : List.of("red", "blue")) {
            AnswerRecord answer = ask(tenant, "Where is the launch code of the project stored?", 20);
            assertThat(answer.tenant()).isEqualTo(tenant);
            assertThat(answer.retrieved()).isNotEmpty()
                    .allSatisfy(chunk -> assertThat(chunk.chunkId()).startsWith(tenant + "/"));
            assertThat(answer.answer()).contains(tenant + " vault");
            assertCitationsQuoteTheirDocument(answer, tenant.equals("red") ? red : blue);
        }
    }

    @Test
    @Order(6)
    void malformedRecordsOfEveryKindReachTheDeadLetterTopicAndTheRestIsProcessed() throws InterruptedException {
        String docs = kafkaConfig.documentsTopic();
        String questions = kafkaConfig.questionsTopic();
        long before = client.upsert("t-dead", "before", "Before", "Owls hunt at night and sleep during the day.");
        Map<String, Long> malformed = Map.of(
                "bad json", client.send(docs, "t-dead/x", bytes("{\"tenant\": \"t-dead\", \"id\": ")),
                "missing id", client.send(docs, "t-dead/x", bytes("{\"tenant\":\"t-dead\",\"op\":\"upsert\",\"text\":\"t\"}")),
                "empty text", client.send(docs, "t-dead/x", bytes("{\"tenant\":\"t-dead\",\"id\":\"x\",\"op\":\"upsert\",\"text\":\"  \"}")),
                "too long", client.send(docs, "t-dead/x", bytes("{\"tenant\":\"t-dead\",\"id\":\"x\",\"op\":\"upsert\",\"text\":\""
                        + "a".repeat(SETTINGS.index().maxDocumentChars() + 1) + "\"}")),
                "unknown op", client.send(docs, "t-dead/x", bytes("{\"tenant\":\"t-dead\",\"id\":\"x\",\"op\":\"merge\",\"text\":\"t\"}")),
                "tombstone", client.send(docs, "t-dead/x", null));
        Map<String, Long> malformedQuestions = Map.of(
                "bad json", client.send(questions, "t-dead/q", bytes("not json")),
                "empty question", client.send(questions, "t-dead/q", bytes("{\"tenant\":\"t-dead\",\"id\":\"q\",\"question\":\"\"}")),
                "too long", client.send(questions, "t-dead/q", bytes("{\"tenant\":\"t-dead\",\"id\":\"q\",\"question\":\""
                        + "why ".repeat(SETTINGS.index().maxQuestionChars()) + "\"}")),
                "missing tenant", client.send(questions, "t-dead/q", bytes("{\"id\":\"q\",\"question\":\"Why?\"}")));
        long after = client.upsert("t-dead", "after", "After", "Bats navigate in the dark by echolocation.");

        client.awaitSearchable("t-dead", "before", before, "owls", WAIT);
        client.awaitSearchable("t-dead", "after", after, "bats", WAIT);
        assertThat(ask("t-dead", "How do bats navigate in the dark?").answer()).contains("echolocation");

        long deadline = System.nanoTime() + WAIT.toNanos();
        while (deadLetters(docs, malformed).size() + deadLetters(questions, malformedQuestions).size()
                < malformed.size() + malformedQuestions.size() && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertThat(deadLetters(docs, malformed)).hasSize(malformed.size());
        assertThat(deadLetters(questions, malformedQuestions)).hasSize(malformedQuestions.size());
        assertThat(deadLetters(docs, Map.of("unknown op", malformed.get("unknown op"))).get(0).error())
                .contains("merge");
        assertThat(deadLetters(docs, Map.of("too long", malformed.get("too long"))).get(0).raw())
                .as("the raw payload is kept").startsWith("{\"tenant\":\"t-dead\"");
    }

    private static List<DeadLetterRecord> deadLetters(String topic, Map<String, Long> offsets) {
        return client.deadLetters().stream()
                .filter(dead -> dead.sourceTopic().equals(topic) && offsets.containsValue(dead.offset()))
                .peek(dead -> assertThat(dead.error()).isNotBlank())
                .toList();
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    @Order(7)
    void aJobRestoredFromASavepointAnswersAsBefore(@TempDir Path savepoints) throws Exception {
        String text = "The lighthouse was built in 1874 from granite. Its lamp can be seen for twenty miles.";
        long version = client.upsert("t-restore", "lighthouse", "Lighthouse", text);
        client.awaitSearchable("t-restore", "lighthouse", version, "lighthouse", WAIT);
        AnswerRecord before = ask("t-restore", "When was the lighthouse built?");
        assertThat(before.abstained()).isFalse();

        String savepoint = job.stopWithSavepoint(false, savepoints.toUri().toString(), SavepointFormatType.CANONICAL)
                .get();
        job = null;
        assertThat(Files.list(savepoints)).isNotEmpty();
        Configuration restore = new Configuration();
        restore.set(StateRecoveryOptions.SAVEPOINT_PATH, savepoint);
        // Without the savepoint's offsets the sources would start at the end of the topics and see no document, so
        // every passage retrieved below comes from the index rebuilt out of the savepoint's state.
        job = submit(restore, kafkaConfig.toBuilder().startingOffsets(StartingOffsets.LATEST).build());

        AnswerRecord after = ask("t-restore", "When was the lighthouse built?");
        assertThat(after.answer()).isEqualTo(before.answer());
        assertThat(after.citations()).isEqualTo(before.citations());
        assertThat(after.retrieved()).extracting(RetrievedChunk::chunkId)
                .containsExactlyElementsOf(before.retrieved().stream().map(RetrievedChunk::chunkId).toList());
        // Documents indexed by the previous tests survived too.
        assertThat(ask("t-upsert", "What do blue whales feed on?").answer()).contains("krill");
    }

    @Test
    @Order(8)
    void exactlyOnceDeliversAnswersThroughKafkaTransactions() throws Exception {
        job.cancel().get();
        job = null;
        KafkaConfig.Builder transactional = kafkaConfig.toBuilder()
                .deliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
                .transactionalIdPrefix("rag-job-itcase-eo")
                .groupId("rag-job-itcase-eo");
        for (TopicRole role : TopicRole.values()) {
            transactional.topic(role, "eo-" + role.defaultName());
        }
        KafkaConfig exactlyOnce = transactional.build();
        TopicAdmin.ensureTopics(exactlyOnce);
        PipelineConfig config = new PipelineConfig(SETTINGS.index(), SETTINGS.answer(), SETTINGS.checkpointIntervalMs(),
                checkpoints.toUri().toString(), DeliveryGuarantee.EXACTLY_ONCE, 2);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        RagJob.configure(env, config);
        RagJob.build(env, config, RagJob.Endpoints.kafka(exactlyOnce));
        job = env.executeAsync("rag-job-itcase-exactly-once");

        // The client reads read_committed: it only sees answers whose transaction a checkpoint committed.
        try (RagClient transactionalClient = new RagClient(exactlyOnce)) {
            long version = transactionalClient.upsert("t-eo", "whales", "Blue whale", WHALES);
            transactionalClient.awaitSearchable("t-eo", "whales", version, "Blue whale", WAIT);
            AnswerRecord answer = RagClient.await(transactionalClient.ask("t-eo", "What do blue whales feed on?"), WAIT);

            assertThat(answer.answer()).contains("krill");
            assertThat(answer.citations().get(0).docVersion()).isEqualTo(version);
        }
    }
}
