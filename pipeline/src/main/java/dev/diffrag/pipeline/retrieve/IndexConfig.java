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
 * @param mergeTimeoutMs   how long the merge waits for the slowest index subtask after the first one answered
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
     * Chunks of about 200 MiniLM tokens (its window is 256), documents up to 1 MB of text, top 5. The merge waits 30 s
     * for a slow index subtask: under a burst of questions an in-process reader keeps the cores busy, and one
     * subtask's partial result can reach the merge seconds after the other's; with 5 s, 1,584 of 4,096 questions sent
     * at once to the local stack were answered from part of the index (docs/results/merge-timeout-burst/).
     */
    public static IndexConfig defaults() {
        return new IndexConfig(800, 100, 1_000_000, 2_000, 5, 30_000);
    }
}
