package dev.diffrag.pipeline.retrieve;

public record RetrievedPassage(String chunkId, String docId, long docVersion, int start, int end, String text, double score) {}
