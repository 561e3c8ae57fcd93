package dev.diffrag.connectors.records;

/**
 * The job's limit on the Kafka keys of documents and questions ({@code tenant/id}), shared by the job, which
 * dead-letters longer ones, and the CLI, which refuses to send them: the CLI would otherwise report a document as sent,
 * or wait for an answer that never comes.
 */
public final class RecordKeys {
    /**
     * Longest key {@code tenant/id}. A document's key is stored in the index as one Lucene term (at most 32,766
     * bytes); a question's key is the key of its answer and is copied into it, and a 600,000-character id made an
     * answer over Kafka's 1 MB record limit. Dead letters keep at most this much of a key, so a refused record's dead
     * letter carries its whole key.
     */
    public static final int MAX_CHARS = 1024;

    private RecordKeys() {}

    /** Whether the job takes {@code key}. */
    public static boolean fits(String key) {
        return key.length() <= MAX_CHARS;
    }

    /** Why the job refuses {@code key}, which does not {@link #fits}. */
    public static String overLimit(String key) {
        return "tenant/id has " + key.length() + " characters, over the limit of " + MAX_CHARS;
    }
}
