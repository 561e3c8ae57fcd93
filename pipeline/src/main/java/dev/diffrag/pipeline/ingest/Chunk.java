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

    /**
     * Whether {@code chunkId} is the {@link #id} of a chunk of that document version. A prefix alone is not enough, as
     * a document id may hold '@' and '#': {@code acme/guide@5#1@9#0} starts like the chunks of {@code guide} at
     * version 5 but is a chunk of {@code guide@5#1}.
     */
    public static boolean isOf(String chunkId, String tenant, String docId, long docVersion) {
        String prefix = tenant + "/" + docId + "@" + docVersion + "#";
        return chunkId.startsWith(prefix) && chunkId.length() > prefix.length()
                && chunkId.substring(prefix.length()).chars().allMatch(c -> c >= '0' && c <= '9');
    }

    public Chunk withEmbedding(float[] vector) {
        return new Chunk(chunkId, docId, docVersion, start, end, text, vector);
    }
}
