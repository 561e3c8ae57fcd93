package dev.diffrag.answer;

/** One retrieved context handed to an answerer: in the pipeline {@code id} is the chunk id. */
public record Passage(String id, String text) {}
