package dev.diffrag.pipeline.summarize;

import dev.diffrag.connectors.records.SummaryRecord;

/**
 * What {@link SummarizeDocuments} makes of one document version: its summary record and the same sentences as a digest
 * candidate (async functions have no side outputs; {@link SplitSummaries} separates the two).
 *
 * @param summary null when the summarizer failed on the version or timed out; {@code candidate} then removes the
 *                document from its digest
 */
public record SummarizedVersion(SummaryRecord summary, DigestCandidate candidate) {}
