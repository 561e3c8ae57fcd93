package dev.diffrag.connectors.kafka;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.errors.TopicExistsException;

/** Creates diffrag's topics with the configured partition counts. */
public final class TopicAdmin {
    private TopicAdmin() {}

    /**
     * Creates every topic of {@link TopicRole} that does not exist yet, with its configured partitions and
     * replication factor. Idempotent: existing topics are left as they are, including a topic created concurrently
     * by someone else.
     *
     * @return the names of the topics this call created
     */
    public static List<String> ensureTopics(KafkaConfig config) {
        try (Admin admin = KafkaClients.admin(config)) {
            return ensureTopics(admin, config);
        }
    }

    public static List<String> ensureTopics(Admin admin, KafkaConfig config) {
        try {
            Set<String> existing = admin.listTopics().names().get();
            // Keyed by name: two roles may share one topic.
            Map<String, NewTopic> missing = new LinkedHashMap<>();
            for (TopicRole role : TopicRole.values()) {
                String name = config.topic(role);
                if (!existing.contains(name)) {
                    missing.putIfAbsent(name, new NewTopic(name, config.partitions(role), config.replicationFactor()));
                }
            }
            List<String> created = new ArrayList<>();
            for (Map.Entry<String, KafkaFuture<Void>> result : admin.createTopics(missing.values()).values().entrySet()) {
                try {
                    result.getValue().get();
                    created.add(result.getKey());
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw new IllegalStateException("cannot create topic " + result.getKey() + ": "
                                + e.getCause().getMessage(), e.getCause());
                    }
                }
            }
            return created;
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot list topics at " + config.bootstrapServers() + ": "
                    + e.getCause().getMessage(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating topics", e);
        }
    }
}
