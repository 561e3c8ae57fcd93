package dev.diffrag.connectors.cli;

import dev.diffrag.connectors.Json;
import dev.diffrag.connectors.kafka.KafkaClients;
import dev.diffrag.connectors.kafka.KafkaConfig;
import dev.diffrag.connectors.records.DocumentRecord;
import java.util.Queue;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Sends document records to the documents topic, keyed tenant/docId, and counts what the broker acknowledged; what it
 * refused is added to the caller's failures.
 */
final class DocumentSender implements AutoCloseable {

    private final KafkaProducer<String, byte[]> producer;
    private final String topic;
    private final Queue<String> failures;
    private final AtomicInteger acknowledged = new AtomicInteger();

    DocumentSender(KafkaConfig config, Queue<String> failures) {
        this.producer = KafkaClients.producer(config);
        this.topic = config.documentsTopic();
        this.failures = failures;
        try {
            // Fails once, after max.block.ms, when Kafka or the topic is unreachable, instead of once per record.
            producer.partitionsFor(topic);
        } catch (RuntimeException e) {
            producer.close();
            throw e;
        }
    }

    /**
     * @param what    names the record in a failure message
     * @param whenDone runs once the broker has answered, whatever it answered
     */
    void send(DocumentRecord record, String what, Runnable whenDone) {
        producer.send(new ProducerRecord<>(topic, record.key(), Json.toBytes(record)), (metadata, e) -> {
            if (e == null) {
                acknowledged.incrementAndGet();
            } else {
                failures.add(what + ": not sent (" + e.getMessage() + ")");
            }
            whenDone.run();
        });
    }

    /** Waits for the broker's answer to every record sent so far; returns how many it acknowledged. */
    int awaitAcknowledged() {
        producer.flush();
        return acknowledged.get();
    }

    @Override
    public void close() {
        producer.close();
    }
}
