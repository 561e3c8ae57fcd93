package dev.diffrag.pipeline.local;

import dev.diffrag.connectors.Json;
import dev.diffrag.connectors.kafka.KafkaClients;
import dev.diffrag.connectors.kafka.KafkaConfig;
import dev.diffrag.connectors.records.AnswerRecord;
import dev.diffrag.connectors.records.DeadLetterRecord;
import dev.diffrag.connectors.records.DocumentRecord;
import dev.diffrag.connectors.records.QuestionRecord;
import dev.diffrag.connectors.records.SummaryRecord;
import dev.diffrag.pipeline.ingest.Chunk;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Comparator;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Talks to a running job through its Kafka topics: sends documents and questions, and collects answers (by question
 * id), summaries and dead letters as they appear. Used by the local stack, the benchmark and the end-to-end tests.
 */
public final class RagClient implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(RagClient.class);

    private final KafkaConfig config;
    private final KafkaProducer<String, byte[]> producer;
    private final Map<String, CompletableFuture<AnswerRecord>> answers = new ConcurrentHashMap<>();
    private final List<DeadLetterRecord> deadLetters = new CopyOnWriteArrayList<>();
    private final List<SummaryRecord> summaries = new CopyOnWriteArrayList<>();
    private final Thread reader;
    private volatile boolean closed;

    /** Starts reading the answers, summaries and dead-letter topics from their beginning (committed records only). */
    public RagClient(KafkaConfig config) {
        this.config = config;
        this.producer = KafkaClients.producer(config);
        KafkaConsumer<String, byte[]> consumer = KafkaClients.consumer(config, true);
        List<TopicPartition> partitions = new ArrayList<>();
        for (String topic : List.of(config.answersTopic(), config.summariesTopic(), config.deadLetterTopic())) {
            consumer.partitionsFor(topic).forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
        }
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        this.reader = new Thread(() -> read(consumer), "rag-client-reader");
        this.reader.setDaemon(true);
        this.reader.start();
    }

    private void read(KafkaConsumer<String, byte[]> consumer) {
        try (consumer) {
            while (!closed) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(100))) {
                    try {
                        if (record.topic().equals(config.answersTopic())) {
                            AnswerRecord answer = Json.read(record.value(), AnswerRecord.class);
                            // At-least-once may deliver an answer twice; the first one wins.
                            answerFuture(answer.key()).complete(answer);
                        } else if (record.topic().equals(config.summariesTopic())) {
                            summaries.add(Json.read(record.value(), SummaryRecord.class));
                        } else {
                            DeadLetterRecord dead = Json.read(record.value(), DeadLetterRecord.class);
                            deadLetters.add(dead);
                            rejectIfAsked(dead);
                        }
                    } catch (IOException e) {
                        LOG.warn("unreadable record on {} at offset {}: {}", record.topic(), record.offset(), e.getMessage());
                    }
                }
            }
        }
    }

    /** A question of ours the job dead-lettered will get no answer: fail its future with the job's reason. */
    private void rejectIfAsked(DeadLetterRecord dead) {
        if (config.questionsTopic().equals(dead.sourceTopic()) && dead.key() != null) {
            CompletableFuture<AnswerRecord> answer = answers.get(dead.key());
            if (answer != null) {
                answer.completeExceptionally(new QuestionRejectedException(dead.error()));
            }
        }
    }

    /** The job rejected a question as malformed (it went to the dead-letter topic); the message is the reason. */
    public static final class QuestionRejectedException extends RuntimeException {
        QuestionRejectedException(String reason) {
            super(reason);
        }
    }

    /** The answer to the question with this key ({@code tenant/id}, as answers are keyed). */
    private CompletableFuture<AnswerRecord> answerFuture(String questionKey) {
        return answers.computeIfAbsent(questionKey, key -> new CompletableFuture<>());
    }

    /** Sends a new version of a document; returns its version (the record's offset, as the job numbers versions). */
    public long upsert(String tenant, String id, String title, String text) {
        return send(DocumentRecord.upsert(tenant, id, title, text)).offset();
    }

    /** Sends a document change and waits for the broker; the metadata says where it landed. */
    public RecordMetadata send(DocumentRecord document) {
        return sendAndWait(config.documentsTopic(), document.key(), Json.toBytes(document));
    }

    public long delete(String tenant, String id) {
        return send(DocumentRecord.delete(tenant, id)).offset();
    }

    /** Sends a document without waiting for the broker's acknowledgement (for bulk ingest; see {@link #flush}). */
    public void upsertAsync(DocumentRecord document) {
        producer.send(new ProducerRecord<>(config.documentsTopic(), document.key(), Json.toBytes(document)));
    }

    public void flush() {
        producer.flush();
    }

    /** Sends a question with a fresh id and returns the future of its answer. */
    public CompletableFuture<AnswerRecord> ask(String tenant, String question) {
        return ask(new QuestionRecord(tenant, UUID.randomUUID().toString(), question, null, System.currentTimeMillis()));
    }

    public CompletableFuture<AnswerRecord> ask(QuestionRecord question) {
        CompletableFuture<AnswerRecord> answer = answerFuture(question.key());
        send(config.questionsTopic(), question.key(), Json.toBytes(question));
        return answer;
    }

    /** Sends arbitrary bytes, e.g. a malformed record; returns its offset. */
    public long send(String topic, String key, byte[] value) {
        return sendAndWait(topic, key, value).offset();
    }

    private RecordMetadata sendAndWait(String topic, String key, byte[] value) {
        try {
            return producer.send(new ProducerRecord<>(topic, key, value)).get(30, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot send to " + topic + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while sending to " + topic, e);
        }
    }

    /** Every dead letter read so far. */
    public List<DeadLetterRecord> deadLetters() {
        return List.copyOf(deadLetters);
    }

    /**
     * Asks {@code probe} until a chunk of the given document version is among the retrieved passages, i.e. until
     * that version is searchable ({@link Chunk#isOf}).
     */
    public void awaitSearchable(String tenant, String docId, long version, String probe, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            AnswerRecord answer = await(ask(tenant, probe), Duration.ofNanos(deadline - System.nanoTime()));
            if (answer.retrieved().stream().anyMatch(chunk -> Chunk.isOf(chunk.chunkId(), tenant, docId, version))) {
                return;
            }
            sleep(Duration.ofMillis(200));
        }
        throw new IllegalStateException(tenant + "/" + docId + "@" + version + " not searchable after " + timeout);
    }

    /** The summary of this version of a document, once the job has written it. */
    public SummaryRecord awaitSummary(String tenant, String docId, long version, Duration timeout) {
        return poll(() -> summaries.stream()
                .filter(s -> s.kind() == SummaryRecord.Kind.DOCUMENT && s.tenant().equals(tenant)
                        && s.docId().equals(docId) && s.docVersion() == version)
                .findFirst(), timeout, "summary of " + tenant + "/" + docId + "@" + version);
    }

    /**
     * The digests of {@code tenant} (documents without a topic) whose windows hold the given producer times, in window
     * order, once the job has written one for each of those times.
     */
    public List<SummaryRecord> awaitDigests(String tenant, List<Long> producedAt, Duration timeout) {
        return poll(() -> {
            List<SummaryRecord> digests = summaries.stream()
                    .filter(s -> s.kind() == SummaryRecord.Kind.DIGEST && s.tenant().equals(tenant) && s.topic() == null)
                    .filter(s -> producedAt.stream().anyMatch(t -> s.window().start() <= t && t < s.window().end()))
                    .distinct()
                    .sorted(Comparator.comparingLong(s -> s.window().start()))
                    .toList();
            boolean all = producedAt.stream().allMatch(t -> digests.stream()
                    .anyMatch(s -> s.window().start() <= t && t < s.window().end()));
            return all ? Optional.of(digests) : Optional.empty();
        }, timeout, "digests of " + tenant + " for documents produced at " + producedAt);
    }

    /** What {@code found} finds, asked every 100 ms until the timeout. */
    private static <T> T poll(Supplier<Optional<T>> found, Duration timeout, String what) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            Optional<T> result = found.get();
            if (result.isPresent()) {
                return result.get();
            }
            sleep(Duration.ofMillis(100));
        }
        throw new IllegalStateException("no " + what + " within " + timeout);
    }

    /**
     * The answer, or an exception naming the timeout when it does not arrive in time, or a
     * {@link QuestionRejectedException} when the job rejected the question.
     */
    public static AnswerRecord await(CompletableFuture<AnswerRecord> answer, Duration timeout) {
        try {
            return answer.get(Math.max(1, timeout.toMillis()), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new IllegalStateException("no answer within " + timeout, e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof QuestionRejectedException rejected) {
                throw rejected;
            }
            throw new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for an answer", e);
        }
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    @Override
    public void close() throws InterruptedException {
        closed = true;
        reader.join();
        producer.close(Duration.ofSeconds(5));
    }
}
