package dev.diffrag.pipeline.summarize;

import dev.diffrag.connectors.kafka.RawRecord;
import dev.diffrag.connectors.records.SummaryRecord;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.datastream.AsyncDataStream;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.windowing.assigners.TumblingEventTimeWindows;

/**
 * The summaries branch of the job:
 *
 * <pre>
 * documents ─▶ validate ─▶ keyBy(tenant/doc) ─▶ latest versions only ─▶ async I/O: summarize in micro-batches
 *    ─▶ split ─────────────────────────────────────────────────────────────────────────────────▶ summaries
 *         └─ candidates ─▶ event time (producer ts, watermarks)
 *              ─▶ keyBy(tenant/topic) ─▶ tumbling window ─▶ digest ────────────────────────────────┘
 * </pre>
 */
public final class Summaries {

    private Summaries() {}

    /** From raw document records (validated as the index branch does; it dead-letters the malformed ones). */
    public static DataStream<SummaryRecord> build(DataStream<RawRecord> documents, SummaryConfig config,
            int maxDocumentChars) {
        return fromVersions(documents
                .process(new ReadDocumentVersions(maxDocumentChars))
                .uid("summaries-read-documents")
                .name("Read documents for summaries"), config);
    }

    /** Document summaries and digests of already validated document versions. */
    public static DataStream<SummaryRecord> fromVersions(DataStream<DocumentVersion> versions, SummaryConfig config) {
        // The uid "summarize-documents" stays with the keyed operator: it owns the latest-version state of savepoints.
        DataStream<DocumentVersion> latestVersions = versions
                .keyBy(DocumentVersion::key, Types.STRING)
                .process(new LatestDocumentVersions())
                .uid("summarize-documents")
                .name("Latest document versions");
        // Ordered, so a document's newer version never overtakes its older one.
        SingleOutputStreamOperator<SummaryRecord> documentSummaries = AsyncDataStream.orderedWait(
                        latestVersions,
                        new SummarizeDocuments(SummarizerFactory.of(config), config),
                        config.timeoutMs(),
                        TimeUnit.MILLISECONDS,
                        config.capacity())
                .uid("summarize-documents-async")
                .name("Summarize documents (" + config.summarizer() + ")")
                .process(new SplitSummaries())
                .uid("split-summaries")
                .name("Split summaries and digest candidates");
        DataStream<SummaryRecord> digests = documentSummaries
                .getSideOutput(SplitSummaries.DIGEST_CANDIDATES)
                .assignTimestampsAndWatermarks(WatermarkStrategy
                        .<DigestCandidate>forBoundedOutOfOrderness(Duration.ofMillis(config.outOfOrdernessMs()))
                        .withTimestampAssigner((candidate, recordTimestamp) -> candidate.producedAtMs())
                        .withIdleness(Duration.ofMillis(config.idleSourceMs())))
                .uid("digest-event-time")
                .name("Digest event time")
                .keyBy(DigestCandidate::digestKey, Types.STRING)
                .window(TumblingEventTimeWindows.of(Duration.ofMillis(config.digestWindowMs())))
                .process(new DigestWindow(config, SummarizerFactory.forDigests(config)))
                .uid("digest-windows")
                .name("Digests per tenant and topic");
        return documentSummaries.union(digests);
    }
}
