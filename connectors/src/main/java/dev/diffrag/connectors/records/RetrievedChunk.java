package dev.diffrag.connectors.records;

/** One chunk that retrieval handed to the answerer, with its hybrid score. */
public record RetrievedChunk(String chunkId, double score) {}
