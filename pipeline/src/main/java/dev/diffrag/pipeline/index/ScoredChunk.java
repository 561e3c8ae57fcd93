package dev.diffrag.pipeline.index;

/**
 * A chunk found by one ranking of one index subtask, with that ranking's raw score (BM25, or Lucene's cosine score
 * {@code (1 + cos) / 2}).
 */
public record ScoredChunk(
        String chunkId, String docId, long docVersion, int start, int end, String text, double score) {}
