package dev.diffrag.connectors.records;

import com.fasterxml.jackson.annotation.JsonInclude;

/** A question on the {@code questions} topic, keyed {@code tenant/questionId}. {@code topK} defaults in the job. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record QuestionRecord(String tenant, String id, String question, Integer topK, Long ts) {

    public static QuestionRecord of(String tenant, String id, String question) {
        return new QuestionRecord(tenant, id, question, null, System.currentTimeMillis());
    }

    public String key() {
        return tenant + "/" + id;
    }
}
