package dev.diffrag.connectors.kafka;

/**
 * What the Kafka sinks promise. Answers are keyed like their questions ({@code tenant/id}), so consumers can deduplicate the repeats that
 * at-least-once delivery allows after a restart; exactly-once uses Kafka transactions committed on checkpoints.
 */
public enum DeliveryGuarantee {
    AT_LEAST_ONCE,
    EXACTLY_ONCE;

    /** Accepts {@code at-least-once}, {@code AT_LEAST_ONCE}, {@code exactly-once}, ... */
    public static DeliveryGuarantee parse(String value) {
        return ConfigValues.parseEnum(DeliveryGuarantee.class, value);
    }
}
