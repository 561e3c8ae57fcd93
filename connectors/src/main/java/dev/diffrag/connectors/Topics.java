package dev.diffrag.connectors;

/** Default topic names; every one can be renamed through {@link kafka.KafkaConfig}. */
public final class Topics {
    public static final String DOCUMENTS = "documents";
    public static final String QUESTIONS = "questions";
    public static final String ANSWERS = "answers";
    public static final String SUMMARIES = "summaries";
    public static final String DEAD_LETTER = "dead-letter";

    private Topics() {}
}
