package dev.diffrag.connectors.kafka;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** Parsing of configuration values with errors that name the accepted values. */
final class ConfigValues {
    private ConfigValues() {}

    static <E extends Enum<E>> E parseEnum(Class<E> type, String value) {
        String normalised = value.trim().toUpperCase(Locale.ROOT).replace('-', '_');
        for (E constant : type.getEnumConstants()) {
            if (constant.name().equals(normalised)) {
                return constant;
            }
        }
        String accepted = Arrays.stream(type.getEnumConstants())
                .map(c -> c.name().toLowerCase(Locale.ROOT).replace('_', '-'))
                .collect(Collectors.joining(", "));
        throw new IllegalArgumentException(
                "unknown " + type.getSimpleName() + " '" + value + "' (expected one of " + accepted + ")");
    }

    static int parsePositiveInt(String key, String value) {
        return parseInRange(key, value, Integer.MAX_VALUE, "a positive integer");
    }

    /** A count Kafka holds in a {@code short}, such as a replication factor; wider values must not wrap around. */
    static short parsePositiveShort(String key, String value) {
        return (short) parseInRange(key, value, Short.MAX_VALUE, "an integer from 1 to " + Short.MAX_VALUE);
    }

    private static int parseInRange(String key, String value, int max, String expected) {
        try {
            int parsed = Integer.parseInt(value.trim());
            if (parsed > 0 && parsed <= max) {
                return parsed;
            }
        } catch (NumberFormatException e) {
            // reported below with the key's name
        }
        throw new IllegalArgumentException(key + " must be " + expected + ", got '" + value + "'");
    }
}
