package dev.diffrag.pipeline.index;

import dev.diffrag.connectors.records.QuestionRecord;

/**
 * A question as the index subtasks receive it.
 *
 * @param topK       how many passages the merged result keeps
 * @param rankWindow how many candidates each subtask returns per ranking (at least {@code topK})
 * @param receivedMs wall-clock time at which the job parsed the question
 * @param embedding  the question's all-MiniLM-L6-v2 embedding
 */
public record EmbeddedQuestion(
        QuestionRecord question, int topK, int rankWindow, long receivedMs, float[] embedding) {

    /** The merge step's key: question ids are only unique within a tenant. */
    public String key() {
        return question.key();
    }
}
