package dev.diffrag.pipeline.index;

import dev.diffrag.connectors.records.DocumentOp;
import dev.diffrag.pipeline.ingest.DeletedVersions;
import dev.diffrag.pipeline.ingest.DocumentChange;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;
import org.apache.flink.streaming.api.functions.co.KeyedBroadcastProcessFunction;
import org.apache.flink.util.Collector;

/**
 * The live hybrid index. Documents arrive keyed by {@code tenant/docId}; embedded questions are broadcast to every
 * subtask, which answers each with its local top candidates.
 *
 * <p>Keyed state holds the chunks of each document's current version and is the source of truth: checkpointed and
 * redistributed on rescaling. The Lucene {@link ChunkIndex} of a subtask is a transient copy of that state. It starts
 * empty after a restore and is rebuilt from state when the first question arrives; keys already indexed by then
 * (changed since the start, or every key of a job that started without state) are current and not written again.
 *
 * <p>An upsert replaces every chunk of the previous version, a delete removes them, and a change older than the
 * version already applied (smaller Kafka offset, see {@link dev.diffrag.pipeline.ingest.ParseDocuments}) is ignored.
 * A delete's version is kept for a while ({@link DeletedVersions}), so a late older upsert cannot bring a deleted
 * document back.
 */
public final class IndexDocuments
        extends KeyedBroadcastProcessFunction<String, DocumentChange, EmbeddedQuestion, PartialRetrieval> {

    /** The current version of the document, with its embedded chunks; absent once deleted. */
    public static final ValueStateDescriptor<DocumentChange> CURRENT =
            new ValueStateDescriptor<>("current-version", DocumentChange.class);

    /** The version of the current version (kept apart so that checking a change does not read its chunks). */
    public static final ValueStateDescriptor<Long> APPLIED_VERSION =
            new ValueStateDescriptor<>("applied-version", Types.LONG);

    /** The version of the last delete, while no version is current. */
    public static final ValueStateDescriptor<Long> DELETED_VERSION = DeletedVersions.descriptor();

    private static final int FRESHNESS_WINDOW = 1000;

    private transient ChunkIndex index;
    private transient boolean rebuiltFromState;
    private transient Histogram freshnessLagMs;
    private transient Counter staleChanges;
    private transient Counter rebuiltChunks;

    @Override
    public void open(OpenContext openContext) {
        index = new ChunkIndex();
        rebuiltFromState = false;
        var metrics = getRuntimeContext().getMetricGroup();
        freshnessLagMs = metrics.histogram("freshnessLagMs", new DescriptiveStatisticsHistogram(FRESHNESS_WINDOW));
        staleChanges = metrics.counter("staleDocumentChanges");
        rebuiltChunks = metrics.counter("rebuiltChunks");
        metrics.gauge("chunks", (Gauge<Integer>) index::chunkCount);
    }

    @Override
    public void processElement(DocumentChange change, ReadOnlyContext ctx, Collector<PartialRetrieval> out)
            throws Exception {
        ValueState<Long> applied = getRuntimeContext().getState(APPLIED_VERSION);
        ValueState<Long> deleted = getRuntimeContext().getState(DELETED_VERSION);
        Long last = applied.value() != null ? applied.value() : deleted.value();
        if (last != null && change.docVersion() < last) {
            staleChanges.inc();
            return;
        }
        ValueState<DocumentChange> current = getRuntimeContext().getState(CURRENT);
        if (change.op() == DocumentOp.DELETE) {
            applied.clear();
            current.clear();
            deleted.update(change.docVersion());
            index.delete(change.key());
        } else {
            applied.update(change.docVersion());
            current.update(change);
            deleted.clear();
            index.replace(change.key(), change.tenant(), change.chunks());
        }
        // Searchable from now on: the next question refreshes the searcher before it searches.
        freshnessLagMs.update(System.currentTimeMillis() - change.producedAtMs());
    }

    @Override
    public void processBroadcastElement(EmbeddedQuestion question, Context ctx, Collector<PartialRetrieval> out)
            throws Exception {
        if (!rebuiltFromState) {
            ctx.applyToKeyedState(CURRENT, (key, state) -> {
                if (!index.contains(key)) {
                    DocumentChange document = state.value();
                    index.replace(key, document.tenant(), document.chunks());
                    rebuiltChunks.inc(document.chunks().size());
                }
            });
            rebuiltFromState = true;
        }
        ChunkIndex.Hits hits = index.search(
                question.question().tenant(),
                question.question().question(),
                question.embedding(),
                question.rankWindow());
        var task = getRuntimeContext().getTaskInfo();
        out.collect(new PartialRetrieval(
                question,
                task.getIndexOfThisSubtask(),
                task.getNumberOfParallelSubtasks(),
                hits.bm25(),
                hits.vector()));
    }

    /** Chunks written from keyed state at the first question (the metric {@code rebuiltChunks}). */
    long rebuiltChunks() {
        return rebuiltChunks.getCount();
    }

    @Override
    public void close() throws Exception {
        if (index != null) {
            index.close();
        }
    }
}
