package dev.diffrag.pipeline.summarize;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Keyed by {@code tenant/docId}: passes on only versions newer than any seen before, so a version replayed after a
 * restore, or an older one arriving late, never overwrites a newer summary. Keyed state holds the latest version and
 * is the source of truth; the summarizer runs after this, in {@link SummarizeDocuments}.
 */
public final class LatestDocumentVersions extends KeyedProcessFunction<String, DocumentVersion, DocumentVersion> {

    private transient ValueState<Long> latestVersion;
    private transient Counter staleVersions;

    @Override
    public void open(OpenContext openContext) {
        latestVersion = getRuntimeContext().getState(new ValueStateDescriptor<>("latest-version", Types.LONG));
        staleVersions = getRuntimeContext().getMetricGroup().counter("staleSummaryVersions");
    }

    @Override
    public void processElement(DocumentVersion document, Context ctx, Collector<DocumentVersion> out)
            throws Exception {
        Long latest = latestVersion.value();
        if (latest != null && document.version() <= latest) {
            staleVersions.inc();
            return;
        }
        latestVersion.update(document.version());
        out.collect(document);
    }
}
