package dev.diffrag.pipeline.ingest;

/**
 * One piece of a document version: {@code text} equals {@code originalText.substring(start, end)}, so a citation of
 * this chunk points into the document exactly as it was sent.
 *
 * @param chunkId   {@code tenant/docId@docVersion#n}, n counting from 0 in text order
 * @param embedding the chunk's embedding, or null while the chunk has not been embedded yet
 */
public record Chunk(String chunkId, String docId, long docVersion, int start, int end, String text, float[] embedding) {

    public static String id(String tenant, String docId, long docVersion, int n) {
        return tenant + "/" + docId + "@" + docVersion + "#" + n;
    }

    public Chunk withEmbedding(float[] vector) {
        return new Chunk(chunkId, docId, docVersion, start, end, text, vector);
    }
}
