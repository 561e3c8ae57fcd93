package org.apache.flink.connector.kafka.sink;

import java.lang.reflect.Field;
import java.util.Properties;

/** Reads the producer configuration and transactional id prefix a built {@link KafkaSink} will use (not public in Flink). */
public final class BuiltKafkaSink {
    private BuiltKafkaSink() {}

    public static Properties producerConfig(KafkaSink<?> sink) {
        return sink.getKafkaProducerConfig();
    }

    public static String transactionalIdPrefix(KafkaSink<?> sink) throws ReflectiveOperationException {
        Field prefix = KafkaSink.class.getDeclaredField("transactionalIdPrefix");
        prefix.setAccessible(true);
        return (String) prefix.get(sink);
    }
}
