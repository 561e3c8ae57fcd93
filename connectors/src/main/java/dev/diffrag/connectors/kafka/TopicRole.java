package dev.diffrag.connectors.kafka;

import dev.diffrag.connectors.Topics;

/** The topics diffrag reads and writes; each role has a configurable name and partition count. */
public enum TopicRole {
    DOCUMENTS(Topics.DOCUMENTS),
    QUESTIONS(Topics.QUESTIONS),
    ANSWERS(Topics.ANSWERS),
    SUMMARIES(Topics.SUMMARIES),
    DEAD_LETTER(Topics.DEAD_LETTER);

    private final String defaultName;

    TopicRole(String defaultName) {
        this.defaultName = defaultName;
    }

    public String defaultName() {
        return defaultName;
    }
}
