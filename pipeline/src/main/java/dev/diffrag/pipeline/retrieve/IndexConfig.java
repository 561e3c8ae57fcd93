package dev.diffrag.pipeline.retrieve;

import dev.diffrag.pipeline.ingest.ParseQuestions;
import java.io.Serializable;

/**
 * Settings of indexing and retrieval.
 *
 * @param chunkSize        maximum chunk length in characters
 * @param chunkOverlap     maximum overlap of consecutive chunks in characters
 * @param maxDocumentChars longer document texts go to the dead-letter topic
 * @param maxQuestionChars longer questions go to the dead-letter topic
 * @param defaultTopK      passages per question when the question does not say
 * @param mergeTimeoutMs   how long an index subtask that has not answered a question may stay silent (answer no
 *                         question at all) before the merge answers without it
 */
public record IndexConfig(
        int chunkSize,
        int chunkOverlap,
        int maxDocumentChars,
        int maxQuestionChars,
        int defaultTopK,
        long mergeTimeoutMs) implements Serializable {

    public IndexConfig {
        if (chunkSize <= 0 || chunkOverlap < 0 || chunkOverlap >= chunkSize) {
            throw new IllegalArgumentException("need 0 <= chunkOverlap < chunkSize");
        }
        if (maxDocumentChars <= 0 || maxQuestionChars <= 0 || mergeTimeoutMs <= 0) {
            throw new IllegalArgumentException("limits and timeout must be positive");
        }
        if (defaultTopK <= 0 || defaultTopK > ParseQuestions.MAX_TOP_K) {
            throw new IllegalArgumentException("defaultTopK must be in 1.." + ParseQuestions.MAX_TOP_K);
        }
    }

    /**
     * Chunks of about 200 MiniLM tokens (its window is 256), documents up to 1 MB of text, top 5; the merge answers
     * without a subtask once that subtask has been silent for 5 s ({@link MergeRetrievals}).
     */
    public static IndexConfig defaults() {
        return new IndexConfig(800, 100, 1_000_000, 2_000, 5, 5_000);
    }
}
