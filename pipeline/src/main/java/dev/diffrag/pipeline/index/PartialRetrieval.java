package dev.diffrag.pipeline.index;

import java.util.List;

/**
 * What one index subtask found for one question: its local BM25 and vector top candidates with raw scores.
 *
 * @param subtask     the index subtask that answered
 * @param parallelism how many index subtasks answer each question
 */
public record PartialRetrieval(
        EmbeddedQuestion question, int subtask, int parallelism, List<ScoredChunk> bm25, List<ScoredChunk> vector) {}
