package dev.diffrag.connectors.cli;

import dev.diffrag.connectors.kafka.KafkaConfig;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "tail", mixinStandardHelpOptions = true, description = "Prints the records of a topic as they arrive, one line each: partition, offset, key, value.")
final class TailCommand implements Callable<Integer> {
    @Parameters(paramLabel = "TOPIC", description = "The topic name, e.g. answers or dead-letter.")
    String topic;

    @Option(names = "--from-beginning", description = "Start with the oldest retained records instead of new ones.")
    boolean fromBeginning;

    @Option(names = "--max", paramLabel = "N", defaultValue = "0", description = "Stop after N records (default: never).")
    long max;

    @Mixin
    KafkaOptions kafka;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        KafkaConfig config = kafka.config();
        long printed = 0;
        try (KafkaConsumer<String, byte[]> consumer = TopicReader.open(config, topic, fromBeginning,
                Duration.ofSeconds(30))) {
            while (max <= 0 || printed < max) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                    out.println(format(record));
                    printed++;
                    if (printed == max) {
                        break;
                    }
                }
                out.flush();
            }
        }
        return 0;
    }

    static String format(ConsumerRecord<String, byte[]> record) {
        String value = record.value() == null ? "null" : new String(record.value(), StandardCharsets.UTF_8);
        return "partition=" + record.partition() + " offset=" + record.offset() + " key=" + record.key() + " value=" + value;
    }
}
