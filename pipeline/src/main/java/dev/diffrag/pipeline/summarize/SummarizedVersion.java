package dev.diffrag.pipeline.summarize;

import dev.diffrag.connectors.records.SummaryRecord;

/**
 * What {@link SummarizeDocuments} makes of one document version: its summary record and the same sentences as a digest
 * candidate (async functions have no side outputs; {@link SplitSummaries} separates the two).
 */
public record SummarizedVersion(SummaryRecord summary, DigestCandidate candidate) {}
