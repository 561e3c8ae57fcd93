package dev.diffrag.summarize;

/** One document to summarize in at most {@code maxSentences} sentences. */
public record SummaryRequest(String id, String text, int maxSentences) {}
