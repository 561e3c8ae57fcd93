package dev.diffrag.pipeline.retrieve;

/**
 * One passage of a question's global top-k.
 *
 * @param start offset of the chunk in the original text of document version {@code docVersion}
 * @param end   end offset (exclusive), so {@code text} equals {@code originalText.substring(start, end)}
 * @param score the hybrid score: reciprocal rank fusion of the BM25 and vector rankings
 */
public record RetrievedPassage(
        String chunkId, String docId, long docVersion, int start, int end, String text, double score) {}
