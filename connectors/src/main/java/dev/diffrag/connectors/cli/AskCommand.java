package dev.diffrag.connectors.cli;

import dev.diffrag.connectors.Json;
import dev.diffrag.connectors.kafka.KafkaClients;
import dev.diffrag.connectors.kafka.KafkaConfig;
import dev.diffrag.connectors.records.AnswerRecord;
import dev.diffrag.connectors.records.DeadLetterRecord;
import dev.diffrag.connectors.records.QuestionRecord;
import dev.diffrag.connectors.records.RecordKeys;
import java.io.IOException;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "ask", mixinStandardHelpOptions = true, description = {
        "Sends a question to the questions topic and waits for its answer on the answers topic.",
        "Exits 1 when the job rejects the question (its dead letter gives the reason) or no answer arrives within the "
                + "timeout."})
final class AskCommand implements Callable<Integer> {
    @Parameters(paramLabel = "QUESTION", description = "The question, quoted.")
    String question;

    @Mixin
    TenantOption tenant;

    @Option(names = "--top-k", paramLabel = "K", description = "Chunks to retrieve (default: the job's setting).")
    Integer topK;

    // Longer than the job's own answer timeout (60 s by default), so that a question the answerer could not answer in
    // time gets the job's "timeout" abstention rather than a client that has stopped waiting.
    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "90",
            description = "How long to wait for the answer (default: ${DEFAULT-VALUE}).")
    int timeoutSeconds;

    @Option(names = "--id", description = "Question id (default: a random UUID). One question per id: the job takes "
            + "an id asked again within 50 s (ten merge timeouts) for a replay, and does not answer it again.")
    String id;

    @Mixin
    KafkaOptions kafka;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws InterruptedException, ExecutionException, IOException {
        if (timeoutSeconds < 1) {
            throw new ParameterException(spec.commandLine(),
                    "--timeout must be at least 1 second, got " + timeoutSeconds);
        }
        PrintWriter out = spec.commandLine().getOut();
        KafkaConfig config = kafka.config();
        String questionId = id != null ? id : UUID.randomUUID().toString();
        QuestionRecord record = new QuestionRecord(tenant.get(), questionId, question, topK, System.currentTimeMillis());
        if (!RecordKeys.fits(record.key())) {
            // The job would dead-letter it under a key cut to the limit, which ask would never recognise as its own.
            throw new ParameterException(
                    spec.commandLine(), "question key too long: " + RecordKeys.overLimit(record.key()));
        }

        // The timeout bounds the whole wait, reaching Kafka included: against a broker that is down, ask gives up when
        // the user said, not after the clients' own defaults of 30 to 60 s.
        long deadline = System.nanoTime() + Duration.ofSeconds(timeoutSeconds).toNanos();
        // Positioned at the ends of the answers and dead-letter topics before the question exists, so neither its
        // answer nor its rejection can be missed.
        try (KafkaConsumer<String, byte[]> answers = TopicReader.open(config, config.answersTopic(), false,
                        TopicReader.remaining(deadline));
                KafkaConsumer<String, byte[]> deadLetters = TopicReader.open(config, config.deadLetterTopic(), false,
                        TopicReader.remaining(deadline))) {
            long start = System.nanoTime();
            send(config, record, deadline);
            while (System.nanoTime() < deadline) {
                for (ConsumerRecord<String, byte[]> answer : answers.poll(Duration.ofMillis(200))) {
                    // Answers are keyed like their question (tenant/id); at-least-once may repeat one, the first is
                    // enough.
                    if (record.key().equals(answer.key())) {
                        long roundTripMs = (System.nanoTime() - start) / 1_000_000;
                        AnswerPrinter.print(Json.read(answer.value(), AnswerRecord.class), roundTripMs, out);
                        return 0;
                    }
                }
                for (ConsumerRecord<String, byte[]> dead : deadLetters.poll(Duration.ZERO)) {
                    // Dead letters are keyed by the key of the record they failed on.
                    if (!record.key().equals(dead.key())) {
                        continue;
                    }
                    DeadLetterRecord rejection = Json.read(dead.value(), DeadLetterRecord.class);
                    if (config.questionsTopic().equals(rejection.sourceTopic())) {
                        spec.commandLine().getErr().printf("the job rejected question %s: %s%n", questionId,
                                rejection.error());
                        return 1;
                    }
                }
            }
        } catch (org.apache.kafka.common.errors.TimeoutException | TimeoutException e) {
            spec.commandLine().getErr().printf("no answer to question %s within %d s: Kafka at %s did not respond in "
                    + "time (%s)%n", questionId, timeoutSeconds, config.bootstrapServers(), e.getMessage());
            return 1;
        }
        spec.commandLine().getErr().printf("no answer to question %s within %d s (is the pipeline job running?)%n",
                questionId, timeoutSeconds);
        return 1;
    }

    /** Sends the question and waits for Kafka to acknowledge it, until {@code deadline} at most. */
    private static void send(KafkaConfig config, QuestionRecord record, long deadline)
            throws InterruptedException, ExecutionException, TimeoutException {
        Properties properties = KafkaClients.producerProperties(config);
        // send() itself blocks while it fetches the topic's metadata, up to max.block.ms.
        properties.setProperty("max.block.ms", Long.toString(Math.max(1, TopicReader.remaining(deadline).toMillis())));
        KafkaProducer<String, byte[]> producer = new KafkaProducer<>(properties);
        try {
            producer.send(new ProducerRecord<>(config.questionsTopic(), record.key(), Json.toBytes(record)))
                    .get(TopicReader.remaining(deadline).toNanos(), TimeUnit.NANOSECONDS);
        } catch (ExecutionException e) {
            // A metadata fetch that ran out of max.block.ms fails the future rather than throwing from send().
            if (e.getCause() instanceof org.apache.kafka.common.errors.TimeoutException timeout) {
                throw timeout;
            }
            throw e;
        } finally {
            // A plain close() would wait for an unacknowledged record until its delivery timeout (two minutes).
            producer.close(TopicReader.remaining(deadline));
        }
    }
}
