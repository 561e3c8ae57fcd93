package dev.diffrag.pipeline.faults;

import dev.diffrag.connectors.Json;
import dev.diffrag.connectors.kafka.KafkaClients;
import dev.diffrag.connectors.kafka.KafkaConfig;
import dev.diffrag.connectors.records.AnswerRecord;
import dev.diffrag.pipeline.answer.AnswerRecords;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
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
 * @param failed     answered questions whose first answer is an abstention for a timeout or an answerer error: delivered,
 *                   but the job did not manage to answer them
 */
public record AnswerDeliveries(int questions, int answered, int lost, int duplicated, int failed) {

    static AnswerDeliveries count(KafkaConfig kafka, Collection<String> questionKeys) {
        Set<String> asked = Set.copyOf(questionKeys);
        Map<String, Integer> deliveries = new HashMap<>();
        Set<String> failed = new HashSet<>();
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
                    if (asked.contains(record.key()) && deliveries.merge(record.key(), 1, Integer::sum) == 1
                            && failedToAnswer(record.value())) {
                        failed.add(record.key());
                    }
                }
            }
        }
        int answered = deliveries.size();
        int duplicated = deliveries.values().stream().mapToInt(n -> n - 1).sum();
        return new AnswerDeliveries(asked.size(), answered, asked.size() - answered, duplicated, failed.size());
    }

    private static boolean failedToAnswer(byte[] value) {
        try {
            String reason = Json.read(value, AnswerRecord.class).reason();
            return reason != null
                    && (reason.equals(AnswerRecords.TIMEOUT) || reason.startsWith(AnswerRecords.ANSWERER_ERROR));
        } catch (IOException e) {
            throw new UncheckedIOException("unreadable answer record", e);
        }
    }
}
