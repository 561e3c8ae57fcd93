package dev.diffrag.connectors.records;

import java.util.List;

/**
 * The job's reply on the {@code answers} topic, keyed by question id so consumers can deduplicate under
 * at-least-once delivery. {@code answer} is null exactly when {@code abstained} is true.
 */
public record AnswerRecord(
        String tenant,
        String id,
        String question,
        String answer,
        boolean abstained,
        double confidence,
        List<Citation> citations,
        List<RetrievedChunk> retrieved,
        String model,
        long latencyMs) {}
