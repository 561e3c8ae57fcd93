package dev.diffrag.connectors.ingest;

/** The title and plain text of one file, as they go into a document record. */
public record ExtractedDocument(String title, String text, DocumentFormat format) {}
