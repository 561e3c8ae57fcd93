package dev.diffrag.connectors.cli;

import dev.diffrag.connectors.kafka.KafkaClients;
import dev.diffrag.connectors.kafka.KafkaConfig;
import dev.diffrag.connectors.kafka.DeliveryGuarantee;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;

/** Opens a group-less consumer on every partition of a topic, the way {@code ask} and {@code tail} read. */
final class TopicReader {
    private TopicReader() {}

    /**
     * A consumer assigned to all partitions of {@code topic}, positioned at the beginning or at the current end.
     * Reads only committed records when the job writes with exactly-once, so aborted attempts never show.
     *
     * @param timeout how long finding the partitions and positioning on them may take in all; beyond it a Kafka
     *                {@link org.apache.kafka.common.errors.TimeoutException}
     */
    static KafkaConsumer<String, byte[]> open(KafkaConfig config, String topic, boolean fromBeginning,
            Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        boolean readCommitted = config.deliveryGuarantee() == DeliveryGuarantee.EXACTLY_ONCE;
        KafkaConsumer<String, byte[]> consumer = KafkaClients.consumer(config, readCommitted);
        try {
            List<PartitionInfo> partitions = consumer.partitionsFor(topic, remaining(deadline));
            if (partitions == null || partitions.isEmpty()) {
                throw new IllegalStateException("topic '" + topic + "' does not exist at " + config.bootstrapServers()
                        + " (create it with: diffrag create-topics)");
            }
            List<TopicPartition> assigned = partitions.stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition()))
                    .toList();
            consumer.assign(assigned);
            if (fromBeginning) {
                consumer.seekToBeginning(assigned);
            } else {
                consumer.seekToEnd(assigned);
            }
            // Resolve the lazy seeks now, so records produced after this call are never skipped.
            assigned.forEach(partition -> consumer.position(partition, remaining(deadline)));
            return consumer;
        } catch (RuntimeException e) {
            consumer.close();
            throw e;
        }
    }

    /** The time left until {@code deadline} ({@link System#nanoTime()}), never negative. */
    static Duration remaining(long deadline) {
        return Duration.ofNanos(Math.max(0, deadline - System.nanoTime()));
    }
}
