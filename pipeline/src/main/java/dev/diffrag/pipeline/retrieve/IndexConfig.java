package dev.diffrag.pipeline.retrieve;

import dev.diffrag.pipeline.PipelineConfig;
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
        requirePositive(PipelineConfig.CHUNK_SIZE, chunkSize);
        if (chunkOverlap < 0 || chunkOverlap >= chunkSize) {
            throw new IllegalArgumentException(PipelineConfig.CHUNK_OVERLAP + " (" + chunkOverlap
                    + ") must be at least 0 and below " + PipelineConfig.CHUNK_SIZE + " (" + chunkSize + ")");
        }
        requirePositive(PipelineConfig.MAX_DOCUMENT_CHARS, maxDocumentChars);
        requirePositive(PipelineConfig.MAX_QUESTION_CHARS, maxQuestionChars);
        requirePositive(PipelineConfig.MERGE_TIMEOUT_MS, mergeTimeoutMs);
        if (defaultTopK <= 0 || defaultTopK > ParseQuestions.MAX_TOP_K) {
            throw new IllegalArgumentException(PipelineConfig.TOP_K + " must be in 1.." + ParseQuestions.MAX_TOP_K
                    + ", got " + defaultTopK);
        }
    }

    private static void requirePositive(String key, long value) {
        if (value <= 0) {
            throw new IllegalArgumentException(key + " must be positive, got " + value);
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
