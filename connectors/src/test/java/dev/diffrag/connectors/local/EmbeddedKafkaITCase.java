package dev.diffrag.connectors.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.diffrag.connectors.kafka.KafkaClients;
import dev.diffrag.connectors.kafka.KafkaConfig;
import dev.diffrag.connectors.kafka.TopicAdmin;
import dev.diffrag.connectors.kafka.TopicRole;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class EmbeddedKafkaITCase {
    private static EmbeddedKafka kafka;

    @BeforeAll
    static void startBroker() {
        kafka = EmbeddedKafka.start();
    }

    @AfterAll
    static void stopBroker() {
        kafka.close();
    }

    @Test
    void ensureTopicsCreatesEveryTopicWithItsPartitionsOnce() throws Exception {
        KafkaConfig config = kafka.config().toBuilder()
                .topic(TopicRole.DOCUMENTS, "it-documents")
                .topic(TopicRole.QUESTIONS, "it-questions")
                .topic(TopicRole.ANSWERS, "it-answers")
                .topic(TopicRole.SUMMARIES, "it-summaries")
                .topic(TopicRole.DEAD_LETTER, "it-dead-letter")
                .defaultPartitions(2)
                .partitions(TopicRole.DOCUMENTS, 4)
                .build();

        List<String> created = TopicAdmin.ensureTopics(config);
        List<String> createdAgain = TopicAdmin.ensureTopics(config);

        assertThat(created).containsExactlyInAnyOrder(
                "it-documents", "it-questions", "it-answers", "it-summaries", "it-dead-letter");
        assertThat(createdAgain).isEmpty();
        try (Admin admin = KafkaClients.admin(config)) {
            Map<String, Integer> partitions = admin.describeTopics(created).allTopicNames().get().values().stream()
                    .collect(Collectors.toMap(TopicDescription::name, d -> d.partitions().size()));
            assertThat(partitions).containsExactlyInAnyOrderEntriesOf(Map.of(
                    "it-documents", 4, "it-questions", 2, "it-answers", 2, "it-summaries", 2, "it-dead-letter", 2));
        }
    }

    @Test
    void restartedBrokerKeepsItsPortAndData() throws Exception {
        KafkaConfig config = kafka.config().toBuilder().topic(TopicRole.DOCUMENTS, "restart-test").build();
        TopicAdmin.ensureTopics(config);
        String bootstrapBefore = kafka.bootstrapServers();
        try (KafkaProducer<String, byte[]> producer = KafkaClients.producer(config)) {
            producer.send(record("before")).get();
        }

        kafka.restartBroker();

        assertThat(kafka.bootstrapServers()).isEqualTo(bootstrapBefore);
        try (KafkaProducer<String, byte[]> producer = KafkaClients.producer(config)) {
            producer.send(record("after")).get();
        }
        assertThat(readAll(config, 2)).containsExactly("before", "after");
    }

    private static ProducerRecord<String, byte[]> record(String value) {
        return new ProducerRecord<>("restart-test", 0, "k", value.getBytes(StandardCharsets.UTF_8));
    }

    private static List<String> readAll(KafkaConfig config, int expected) {
        List<String> values = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = KafkaClients.consumer(config, false)) {
            TopicPartition partition = new TopicPartition("restart-test", 0);
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (values.size() < expected && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    values.add(new String(r.value(), StandardCharsets.UTF_8));
                }
            }
        }
        return values;
    }
}
