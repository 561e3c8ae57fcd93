package org.apache.flink.connector.kafka.source;

import java.util.Map;

/** Reads the consumer configuration a built {@link KafkaSource} will use (package-private in Flink). */
public final class BuiltKafkaSource {
    private BuiltKafkaSource() {}

    public static Map<String, String> configuration(KafkaSource<?> source) {
        return source.getConfiguration().toMap();
    }
}
