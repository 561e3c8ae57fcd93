package dev.diffrag.pipeline.ingest;

import dev.diffrag.connectors.records.QuestionRecord;

/**
 * A question that passed validation.
 *
 * @param topK       how many passages to retrieve: the question's own {@code topK}, else the job's default
 * @param receivedMs wall-clock time at which the job parsed the question
 */
public record ValidQuestion(QuestionRecord question, int topK, long receivedMs) {}
