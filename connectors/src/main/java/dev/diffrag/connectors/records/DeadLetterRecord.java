package dev.diffrag.connectors.records;

/** A record the job could not process, with where it came from and why; {@code raw} is the payload as read. */
public record DeadLetterRecord(String sourceTopic, int partition, long offset, String key, String error, String raw) {}
