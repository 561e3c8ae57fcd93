package dev.diffrag.pipeline.summarize;

import dev.diffrag.connectors.records.DocumentOp;
import dev.diffrag.pipeline.ingest.DeletedVersions;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Keyed by {@code tenant/docId}: passes on only versions newer than any seen before, so a version replayed after a
 * restore, or an older one arriving late, never overwrites a newer summary. Keyed state holds the live version's
 * version, or for a while the last delete's ({@link DeletedVersions}), and is the source of truth; the summarizer
 * runs after this, in {@link SummarizeDocuments}.
 *
 * <p>It also remembers the topic of the document's live version, because digests are per topic and a record only
 * carries its own: a delete (which usually has no metadata) is stamped with that topic, so it reaches the digest that
 * holds the document, and a version under another topic sends a removal to the old topic's digest
 * ({@link #LEFT_TOPICS}).
 */
public final class LatestDocumentVersions extends KeyedProcessFunction<String, DocumentVersion, DocumentVersion> {

    /** Removals from the digests of a topic the document left for another. */
    public static final OutputTag<DigestCandidate> LEFT_TOPICS = new OutputTag<>("left-topics") {};

    /** How "live, without a topic" is stored, as distinct from "no live version" (no state). */
    private static final String NO_TOPIC = "";

    private transient ValueState<Long> latestVersion;
    private transient ValueState<Long> deletedVersion;
    private transient ValueState<String> liveTopic;
    private transient Counter staleVersions;

    @Override
    public void open(OpenContext openContext) {
        latestVersion = getRuntimeContext().getState(new ValueStateDescriptor<>("latest-version", Types.LONG));
        deletedVersion = getRuntimeContext().getState(DeletedVersions.descriptor());
        liveTopic = getRuntimeContext().getState(new ValueStateDescriptor<>("live-topic", Types.STRING));
        staleVersions = getRuntimeContext().getMetricGroup().counter("staleSummaryVersions");
    }

    @Override
    public void processElement(DocumentVersion document, Context ctx, Collector<DocumentVersion> out)
            throws Exception {
        Long latest = latestVersion.value() != null ? latestVersion.value() : deletedVersion.value();
        if (latest != null && document.version() <= latest) {
            staleVersions.inc();
            return;
        }
        String previous = liveTopic.value();
        if (document.op() == DocumentOp.DELETE) {
            latestVersion.clear();
            liveTopic.clear();
            deletedVersion.update(document.version());
            out.collect(previous == null ? document : document.withTopic(topicOf(previous)));
            return;
        }
        latestVersion.update(document.version());
        deletedVersion.clear();
        String current = document.topic() == null ? NO_TOPIC : document.topic();
        liveTopic.update(current);
        if (previous != null && !previous.equals(current)) {
            ctx.output(LEFT_TOPICS, DigestCandidate.removal(document, topicOf(previous)));
        }
        out.collect(document);
    }

    private static String topicOf(String stored) {
        return stored.equals(NO_TOPIC) ? null : stored;
    }
}
