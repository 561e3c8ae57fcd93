package dev.diffrag.pipeline.faults;

import dev.diffrag.connectors.kafka.KafkaClients;
import dev.diffrag.connectors.kafka.KafkaConfig;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

/**
 * How many times each question was answered on the answers topic, read from its beginning to its current end with a
 * {@code read_committed} consumer: what a downstream consumer sees, aborted transactions excluded.
 *
 * @param questions  questions asked
 * @param answered   questions with at least one answer
 * @param lost       questions without an answer
 * @param duplicated answers beyond the first one of their question
 */
public record AnswerDeliveries(int questions, int answered, int lost, int duplicated) {

    static AnswerDeliveries count(KafkaConfig kafka, Collection<String> questionKeys) {
        Set<String> asked = Set.copyOf(questionKeys);
        Map<String, Integer> deliveries = new HashMap<>();
        try (KafkaConsumer<String, byte[]> consumer = KafkaClients.consumer(kafka, true)) {
            List<TopicPartition> partitions = consumer.partitionsFor(kafka.answersTopic()).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition()))
                    .toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            // Under read_committed the end offsets are the last stable offsets: committed answers only.
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    if (asked.contains(record.key())) {
                        deliveries.merge(record.key(), 1, Integer::sum);
                    }
                }
            }
        }
        int answered = deliveries.size();
        int duplicated = deliveries.values().stream().mapToInt(n -> n - 1).sum();
        return new AnswerDeliveries(asked.size(), answered, asked.size() - answered, duplicated);
    }
}
