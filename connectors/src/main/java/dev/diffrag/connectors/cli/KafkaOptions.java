package dev.diffrag.connectors.cli;

import dev.diffrag.connectors.kafka.KafkaConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import picocli.CommandLine.Option;

/** The Kafka options every subcommand takes. Precedence: options over the config file over the environment. */
final class KafkaOptions {
    @Option(names = "--bootstrap-servers", paramLabel = "HOST:PORT[,HOST:PORT...]",
            description = "Kafka brokers (default: $KAFKA_BOOTSTRAP_SERVERS, else localhost:9092).")
    String bootstrapServers;

    @Option(names = "--kafka-property", paramLabel = "NAME=VALUE",
            description = "A Kafka client property for every client, e.g. security.protocol=SASL_SSL; repeatable.")
    Map<String, String> kafkaProperties = new LinkedHashMap<>();

    @Option(names = "--config-file", paramLabel = "FILE",
            description = "Properties file with the kafka.* and diffrag.* keys described in connectors/README.md.")
    Path configFile;

    KafkaConfig config() {
        Properties properties = KafkaConfig.propertiesFromEnv(System.getenv());
        if (configFile != null) {
            properties.putAll(readProperties(configFile));
        }
        KafkaConfig.Builder builder = KafkaConfig.builderFromProperties(properties);
        if (bootstrapServers != null) {
            builder.bootstrapServers(bootstrapServers);
        }
        return builder.clientProperties(kafkaProperties).build();
    }

    private static Properties readProperties(Path file) {
        try {
            return KafkaConfig.propertiesFromFile(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read config file " + file + ": " + e.getMessage(), e);
        }
    }
}
