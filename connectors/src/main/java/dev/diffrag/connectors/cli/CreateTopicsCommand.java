package dev.diffrag.connectors.cli;

import dev.diffrag.connectors.kafka.KafkaConfig;
import dev.diffrag.connectors.kafka.TopicAdmin;
import dev.diffrag.connectors.kafka.TopicRole;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

@Command(name = "create-topics", mixinStandardHelpOptions = true, description = "Creates the missing diffrag topics with their configured partitions.")
final class CreateTopicsCommand implements Callable<Integer> {
    @Mixin
    KafkaOptions kafka;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        KafkaConfig config = kafka.config();
        List<String> created = TopicAdmin.ensureTopics(config);
        for (TopicRole role : TopicRole.values()) {
            String topic = config.topic(role);
            spec.commandLine().getOut().printf("%-12s %-20s %s%n", role.defaultName(), topic,
                    created.contains(topic) ? "created with " + config.partitions(role) + " partitions" : "exists");
        }
        return 0;
    }
}
