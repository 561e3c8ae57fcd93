package dev.diffrag.connectors.records;

/**
 * Where an answer comes from: {@code start}/{@code end} are character offsets into the cited document version's
 * original text, so {@code text.equals(document.substring(start, end))}.
 */
public record Citation(String docId, long docVersion, String chunkId, int start, int end, String text) {}
