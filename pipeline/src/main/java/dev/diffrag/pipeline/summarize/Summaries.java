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
import org.apache.flink.util.OutputTag;

/**
 * The summaries branch of the job:
 *
 * <pre>
 * documents ─▶ validate ─▶ event time (producer ts, watermarks) ─▶ keyBy(tenant/doc) ─▶ latest versions only
 *    ├─▶ async I/O: summarize in micro-batches ─▶ split ─────────────────────────────────────────▶ summaries
 *    │                                              └─ candidates ─┐                                 ▲
 *    └─▶ removals from a topic the document left ──────────────────┴─▶ keyBy(tenant/topic)           │
 *          ─▶ tumbling window ─▶ digest ─────────────────────────────────────────────────────────────┘
 *                        └─ late ─▶ counted and logged
 * </pre>
 *
 * <p>Watermarks are generated where documents are read, before the summarizer, and travel through it (ordered async
 * I/O holds a watermark back until the versions before it are summarized). So a slow summarizer only delays digests;
 * only a document whose producer time is behind what its reader has already seen, by more than the out-of-orderness
 * bound, comes too late for its window.
 */
public final class Summaries {

    /** Digest candidates that came after their window fired. */
    static final OutputTag<DigestCandidate> LATE_CANDIDATES = new OutputTag<>("late-digest-candidates") {};

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
        SingleOutputStreamOperator<DocumentVersion> latestVersions = versions
                .assignTimestampsAndWatermarks(eventTime(config))
                .uid("digest-event-time")
                .name("Digest event time")
                .keyBy(DocumentVersion::key, Types.STRING)
                .process(new LatestDocumentVersions())
                .uid("summarize-documents")
                .name("Latest document versions");
        // Ordered, so a document's newer version never overtakes its older one (nor the watermarks after it).
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
        SingleOutputStreamOperator<SummaryRecord> digests = documentSummaries
                .getSideOutput(SplitSummaries.DIGEST_CANDIDATES)
                .union(latestVersions.getSideOutput(LatestDocumentVersions.LEFT_TOPICS))
                .keyBy(DigestCandidate::digestKey, Types.STRING)
                .window(TumblingEventTimeWindows.of(Duration.ofMillis(config.digestWindowMs())))
                .sideOutputLateData(LATE_CANDIDATES)
                .process(new DigestWindow(config, SummarizerFactory.forDigests(config)))
                .uid("digest-windows")
                .name("Digests per tenant and topic");
        digests.getSideOutput(LATE_CANDIDATES)
                .process(new LateDigestCandidates(config.digestWindowMs()))
                .uid("digest-late-candidates")
                .name("Late digest candidates");
        return documentSummaries.union(digests);
    }

    /** Producer time, bounded out-of-orderness; idle readers stop holding the watermark back. */
    private static WatermarkStrategy<DocumentVersion> eventTime(SummaryConfig config) {
        return WatermarkStrategy
                .<DocumentVersion>forBoundedOutOfOrderness(Duration.ofMillis(config.outOfOrdernessMs()))
                .withTimestampAssigner((version, recordTimestamp) -> version.producedAtMs())
                .withIdleness(Duration.ofMillis(config.idleSourceMs()));
    }
}
