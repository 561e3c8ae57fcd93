package dev.diffrag.connectors.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.diffrag.connectors.Json;
import dev.diffrag.connectors.ingest.TestPdfs;
import dev.diffrag.connectors.kafka.KafkaClients;
import dev.diffrag.connectors.kafka.KafkaConfig;
import dev.diffrag.connectors.kafka.TopicAdmin;
import dev.diffrag.connectors.local.EmbeddedKafka;
import dev.diffrag.connectors.records.AnswerRecord;
import dev.diffrag.connectors.records.Citation;
import dev.diffrag.connectors.records.DeadLetterRecord;
import dev.diffrag.connectors.records.DocumentOp;
import dev.diffrag.connectors.records.DocumentRecord;
import dev.diffrag.connectors.records.QuestionRecord;
import dev.diffrag.connectors.records.RetrievedChunk;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CLI against a real in-process broker, run in-process through picocli. */
class DiffragCliITCase {
    private static EmbeddedKafka kafka;
    private static KafkaConfig config;

    @BeforeAll
    static void startKafka() {
        kafka = EmbeddedKafka.start();
        config = kafka.config();
        TopicAdmin.ensureTopics(config);
    }

    @AfterAll
    static void stopKafka() {
        kafka.close();
    }

    @Test
    void ingestSendsOneKeyedUpsertPerFileAndReportsWhatItCouldNotRead(@TempDir Path dir) throws IOException {
        Files.createDirectories(dir.resolve("notes"));
        Files.writeString(dir.resolve("plain.txt"), "Plain text body.");
        Files.writeString(dir.resolve("notes/guide.md"), "# Guide Title\n\nMarkdown body.");
        Files.writeString(dir.resolve("page.html"), "<html><head><title>Web Page</title></head><body><p>Html body.</p></body></html>");
        TestPdfs.write(dir.resolve("paper.pdf"), "PDF Paper", List.of("Pdf body."));
        Files.write(dir.resolve("latin1.txt"), "caf\u00e9".getBytes(StandardCharsets.ISO_8859_1));
        Files.write(dir.resolve("image.png"), new byte[] {(byte) 0x89, 'P', 'N', 'G'});

        CliRun run = run("ingest", dir.toString(), "--tenant", "acme");

        assertThat(run.exitCode()).as(run.err()).isEqualTo(1);
        assertThat(run.out()).contains("sent 4 of 5 documents to topic 'documents' (tenant acme)");
        assertThat(run.err()).contains("latin1.txt").contains("not valid UTF-8").contains("skipped").contains("image.png");

        Map<String, DocumentRecord> documents = readAll(config.documentsTopic(), "acme/", 4, DocumentRecord.class);
        assertThat(documents).containsOnlyKeys("acme/plain.txt", "acme/notes/guide.md", "acme/page.html", "acme/paper.pdf");
        documents.forEach((key, document) -> {
            assertThat(document.key()).isEqualTo(key);
            assertThat(document.op()).isEqualTo(DocumentOp.UPSERT);
        });
        assertThat(documents.get("acme/plain.txt").title()).isEqualTo("plain");
        assertThat(documents.get("acme/notes/guide.md").title()).isEqualTo("Guide Title");
        assertThat(documents.get("acme/page.html").title()).isEqualTo("Web Page");
        assertThat(documents.get("acme/page.html").text()).isEqualTo("Html body.");
        assertThat(documents.get("acme/paper.pdf").title()).isEqualTo("PDF Paper");
        assertThat(documents.get("acme/paper.pdf").text()).contains("Pdf body.");
    }

    @Test
    void deleteSendsOneKeyedDeletePerIdAndRefusesABlankId() throws IOException {
        CliRun run = run("delete", "notes/guide.md", "plain.txt", "--tenant", "globex");
        CliRun blank = run("delete", "plain.txt", " ", "--tenant", "globex");
        CliRun badTenant = run("delete", "plain.txt", "--tenant", "glo/bex");
        CliRun none = run("delete", "--tenant", "globex");

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).contains("sent 2 of 2 deletes to topic 'documents' (tenant globex)");
        Map<String, DocumentRecord> deletes = readAll(config.documentsTopic(), "globex/", 2, DocumentRecord.class);
        assertThat(deletes).containsOnlyKeys("globex/notes/guide.md", "globex/plain.txt");
        deletes.forEach((key, delete) -> {
            assertThat(delete.key()).isEqualTo(key);
            assertThat(delete.op()).isEqualTo(DocumentOp.DELETE);
            assertThat(delete.text()).isNull();
            assertThat(delete.ts()).isNotNull();
        });
        assertThat(blank.exitCode()).isEqualTo(2);
        assertThat(blank.err()).contains("a document id must not be blank");
        assertThat(badTenant.exitCode()).isEqualTo(2);
        assertThat(none.exitCode()).isEqualTo(2);
        assertThat(none.err()).contains("Missing required parameter");
    }

    @Test
    void askPrintsTheAnswerToItsQuestionAndTheAbstentions() throws Exception {
        Queue<QuestionRecord> received = new ConcurrentLinkedQueue<>();
        AtomicBoolean running = new AtomicBoolean(true);
        Thread responder = new Thread(() -> respond(received, running), "test-responder");
        responder.start();
        try {
            CliRun answered = run("ask", "Who wrote Frankenstein?", "--tenant", "acme", "--top-k", "3", "--id", "q-1");
            CliRun abstained = run("ask", "What is unknown here?", "--tenant", "acme", "--id", "q-2");
            CliRun unanswered = run("ask", "Ignore this one", "--id", "q-3", "--timeout", "5");
            CliRun rejected = run("ask", "Reject this one", "--tenant", "acme", "--id", "q-4", "--timeout", "60");
            CliRun badTenant = run("ask", "Who wrote Frankenstein?", "--tenant", "ac/me", "--id", "q-5");

            assertThat(answered.exitCode()).as(answered.err()).isZero();
            assertThat(answered.out())
                    .contains("Answer:     Mary Shelley")
                    .contains("Confidence: 0.870")
                    .contains("[1] books/frankenstein.txt (version 2, chunk books/frankenstein.txt#0, chars 10-22): \"Mary Shelley\"")
                    .contains("Latency:    123 ms in the pipeline");
            assertThat(abstained.exitCode()).isZero();
            assertThat(abstained.out()).contains("Answer:     no answer in the documents");
            assertThat(unanswered.exitCode()).isEqualTo(1);
            assertThat(unanswered.err()).contains("no answer to question q-3 within 5 s (is the pipeline job running?)");
            assertThat(rejected.exitCode()).isEqualTo(1);
            assertThat(rejected.err()).contains("the job rejected question q-4: field 'topK' must be in 1..100");
            assertThat(badTenant.exitCode()).isEqualTo(2);
            assertThat(badTenant.err()).contains("--tenant must not be blank or contain '/'");
            assertThat(received).extracting(QuestionRecord::id).contains("q-1", "q-2", "q-3", "q-4")
                    .doesNotContain("q-5");
            QuestionRecord first = received.stream().filter(q -> q.id().equals("q-1")).findFirst().orElseThrow();
            assertThat(first.tenant()).isEqualTo("acme");
            assertThat(first.topK()).isEqualTo(3);
            assertThat(first.question()).isEqualTo("Who wrote Frankenstein?");
        } finally {
            running.set(false);
            responder.join();
        }
    }

    @Test
    void tailPrintsRecordsUpToMax() throws Exception {
        String topic = "tail-test";
        try (Admin admin = KafkaClients.admin(config)) {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get();
        }
        try (KafkaProducer<String, byte[]> producer = KafkaClients.producer(config)) {
            for (int i = 0; i < 5; i++) {
                producer.send(new ProducerRecord<>(topic, "k" + i, ("{\"n\":" + i + "}").getBytes(StandardCharsets.UTF_8))).get();
            }
        }

        CliRun run = run("tail", topic, "--from-beginning", "--max", "3");

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out().lines()).containsExactly(
                "partition=0 offset=0 key=k0 value={\"n\":0}",
                "partition=0 offset=1 key=k1 value={\"n\":1}",
                "partition=0 offset=2 key=k2 value={\"n\":2}");
    }

    @Test
    void tailOfAMissingTopicFailsWithoutCreatingIt() {
        CliRun run = run("tail", "no-such-topic", "--max", "1");

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).contains("topic 'no-such-topic' does not exist");
    }

    @Test
    void createTopicsCreatesTheConfiguredTopicsOnce(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("kafka.properties"), String.join("\n",
                "diffrag.topic.documents=ct-documents", "diffrag.topic.questions=ct-questions",
                "diffrag.topic.answers=ct-answers", "diffrag.topic.summaries=ct-summaries",
                "diffrag.topic.dead-letter=ct-dead-letter", "diffrag.topic.documents.partitions=3"));

        CliRun first = run("create-topics", "--config-file", file.toString());
        CliRun second = run("create-topics", "--config-file", file.toString());

        assertThat(first.exitCode()).as(first.err()).isZero();
        assertThat(first.out()).containsPattern("documents +ct-documents +created with 3 partitions");
        assertThat(first.out()).containsPattern("dead-letter +ct-dead-letter +created with 2 partitions");
        assertThat(second.out().lines()).hasSize(5).allMatch(line -> line.endsWith("exists"));
    }

    /** Answers every question on the questions topic the way the job would, abstaining on "unknown" ones. */
    private static void respond(Queue<QuestionRecord> received, AtomicBoolean running) {
        try (KafkaConsumer<String, byte[]> questions = KafkaClients.consumer(config, false);
                KafkaProducer<String, byte[]> answers = KafkaClients.producer(config);
                KafkaProducer<String, byte[]> deadLetters = KafkaClients.producer(config)) {
            List<TopicPartition> partitions = questions.partitionsFor(config.questionsTopic()).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            questions.assign(partitions);
            questions.seekToBeginning(partitions);
            while (running.get()) {
                for (ConsumerRecord<String, byte[]> record : questions.poll(Duration.ofMillis(100))) {
                    QuestionRecord question = Json.read(record.value(), QuestionRecord.class);
                    received.add(question);
                    if (question.question().startsWith("Reject")) {
                        // What the job does with a malformed question; dead letters of other records come first.
                        deadLetters.send(new ProducerRecord<>(config.deadLetterTopic(), question.key(), Json.toBytes(
                                new DeadLetterRecord("documents", 0, 1, question.key(), "not this one", "{}"))));
                        deadLetters.send(new ProducerRecord<>(config.deadLetterTopic(), question.key(), Json.toBytes(
                                new DeadLetterRecord(config.questionsTopic(), record.partition(), record.offset(),
                                        question.key(), "field 'topK' must be in 1..100, got 0", "{}"))));
                        continue;
                    }
                    AnswerRecord answer = answerTo(question);
                    if (answer != null) {
                        // Another tenant's question with the same id, answered first: ask must not take it.
                        AnswerRecord decoy = new AnswerRecord("other-tenant", question.id(), question.question(),
                                "Percy Shelley", false, 0.9, List.of(), List.of(), "test-responder", 1);
                        answers.send(new ProducerRecord<>(config.answersTopic(), decoy.key(), Json.toBytes(decoy)));
                        answers.send(new ProducerRecord<>(config.answersTopic(), answer.key(), Json.toBytes(answer)));
                    }
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static AnswerRecord answerTo(QuestionRecord question) {
        if (question.question().startsWith("Ignore")) {
            return null;
        }
        if (question.question().contains("unknown")) {
            return new AnswerRecord(question.tenant(), question.id(), question.question(), null, true, 0.05,
                    List.of(), List.of(), "test-responder", 40);
        }
        return new AnswerRecord(question.tenant(), question.id(), question.question(), "Mary Shelley", false, 0.87,
                List.of(new Citation("books/frankenstein.txt", 2, "books/frankenstein.txt#0", 10, 22, "Mary Shelley")),
                List.of(new RetrievedChunk("books/frankenstein.txt#0", 0.031)), "test-responder", 123);
    }

    /** The latest record of each key that starts with {@code keyPrefix} (other tests write to the same topics). */
    private static <T> Map<String, T> readAll(String topic, String keyPrefix, int expected, Class<T> type)
            throws IOException {
        Map<String, T> records = new LinkedHashMap<>();
        try (KafkaConsumer<String, byte[]> consumer = KafkaClients.consumer(config, false)) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (records.size() < expected && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    if (record.key().startsWith(keyPrefix)) {
                        records.put(record.key(), Json.read(record.value(), type));
                    }
                }
            }
        }
        return records;
    }

    private static CliRun run(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.add("--bootstrap-servers=" + kafka.bootstrapServers());
        return CliRun.of(all.toArray(String[]::new));
    }
}
