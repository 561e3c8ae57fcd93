package org.apache.flink.connector.kafka.sink;

import java.util.Properties;

/** Reads the producer configuration a built {@link KafkaSink} will use (protected in Flink). */
public final class BuiltKafkaSink {
    private BuiltKafkaSink() {}

    public static Properties producerConfig(KafkaSink<?> sink) {
        return sink.getKafkaProducerConfig();
    }
}
