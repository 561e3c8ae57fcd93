package dev.diffrag.pipeline.summarize;

import dev.diffrag.connectors.records.DocumentOp;
import dev.diffrag.connectors.records.SummaryRecord;
import dev.diffrag.summarize.Summarizer;
import dev.diffrag.summarize.Summary;
import dev.diffrag.summarize.SummaryRequest;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Keyed by {@code tenant/docId}: summarizes every new version of a document, supersedes it on delete, and passes each
 * summarized version on to the digests ({@link #DIGEST_CANDIDATES}).
 *
 * <p>Keyed state holds the latest version seen, so a version replayed after a restore, or an older one arriving late,
 * never overwrites a newer summary.
 */
public final class SummarizeDocuments extends KeyedProcessFunction<String, DocumentVersion, SummaryRecord> {

    public static final OutputTag<DigestCandidate> DIGEST_CANDIDATES =
            new OutputTag<>("digest-candidates") {};

    private final SummaryConfig config;

    private transient Summarizer summarizer;
    private transient ValueState<Long> latestVersion;
    private transient Counter staleVersions;

    public SummarizeDocuments(SummaryConfig config) {
        this.config = config;
    }

    @Override
    public void open(OpenContext openContext) {
        summarizer = config.newSummarizer(config.maxTokens());
        latestVersion = getRuntimeContext().getState(new ValueStateDescriptor<>("latest-version", Types.LONG));
        staleVersions = getRuntimeContext().getMetricGroup().counter("staleSummaryVersions");
    }

    @Override
    public void processElement(DocumentVersion document, Context ctx, Collector<SummaryRecord> out) throws Exception {
        Long latest = latestVersion.value();
        if (latest != null && document.version() <= latest) {
            staleVersions.inc();
            return;
        }
        latestVersion.update(document.version());
        if (document.op() == DocumentOp.DELETE) {
            out.collect(SummaryRecord.deleted(document.tenant(), document.docId(), document.version(),
                    summarizer.name(), latency(document)));
            ctx.output(DIGEST_CANDIDATES, new DigestCandidate(document.tenant(), document.topic(), document.docId(),
                    document.version(), true, List.of(), document.producedAtMs()));
            return;
        }
        Summary summary = summarizer.summarize(
                List.of(new SummaryRequest(document.key(), document.text(), config.maxSentences()))).get(0);
        List<SummaryRecord.Sentence> sentences = summary.sentences().stream()
                .map(s -> new SummaryRecord.Sentence(s.text(), s.start(), s.end(), null, null))
                .toList();
        out.collect(SummaryRecord.document(document.tenant(), document.docId(), document.version(), sentences,
                summarizer.name(), latency(document)));
        ctx.output(DIGEST_CANDIDATES, new DigestCandidate(document.tenant(), document.topic(), document.docId(),
                document.version(), false, sentences, document.producedAtMs()));
    }

    private static long latency(DocumentVersion document) {
        return Math.max(0, System.currentTimeMillis() - document.producedAtMs());
    }

    @Override
    public void close() {
        if (summarizer != null) {
            summarizer.close();
        }
    }
}
