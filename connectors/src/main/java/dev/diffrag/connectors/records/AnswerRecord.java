package dev.diffrag.connectors.records;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * The job's reply on the {@code answers} topic, keyed like its question ({@link #key()}: {@code tenant/id}, since
 * question ids are only unique within a tenant) so consumers can deduplicate under at-least-once delivery. {@code answer} is null exactly when {@code abstained} is true.
 *
 * @param reason why the job abstained, null when it answered: {@code low-confidence} (the answerer's own
 *               judgement), {@code no-passages} (retrieval found nothing), {@code timeout} (the answerer did not
 *               reply in time), {@code answerer-error: ...}; omitted from the JSON when null
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
        long latencyMs,
        @JsonInclude(JsonInclude.Include.NON_NULL) String reason) {

    /** An answer without an abstention reason. */
    public AnswerRecord(
            String tenant,
            String id,
            String question,
            String answer,
            boolean abstained,
            double confidence,
            List<Citation> citations,
            List<RetrievedChunk> retrieved,
            String model,
            long latencyMs) {
        this(tenant, id, question, answer, abstained, confidence, citations, retrieved, model, latencyMs, null);
    }

    /** The Kafka key: the key of the question it answers. */
    public String key() {
        return tenant + "/" + id;
    }
}
