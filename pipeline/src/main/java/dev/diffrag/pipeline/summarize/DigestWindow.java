package dev.diffrag.pipeline.summarize;

import dev.diffrag.connectors.records.SummaryRecord;
import dev.diffrag.summarize.Summarizer;
import dev.diffrag.summarize.SummaryRequest;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.streaming.api.functions.windowing.ProcessWindowFunction;
import org.apache.flink.streaming.api.windowing.windows.TimeWindow;
import org.apache.flink.util.Collector;

/**
 * One digest per tenant and topic and event-time window: the summarizer chooses the most salient, non-redundant
 * sentences among the summary sentences of the window's documents (the latest version of each; a document deleted in
 * the window is left out). Each digest sentence cites its document and version.
 */
public final class DigestWindow extends ProcessWindowFunction<DigestCandidate, SummaryRecord, String, TimeWindow> {

    private final SummaryConfig config;
    private transient Summarizer summarizer;

    public DigestWindow(SummaryConfig config) {
        this.config = config;
    }

    @Override
    public void open(OpenContext openContext) {
        summarizer = config.newSummarizer(0);
    }

    @Override
    public void process(String key, Context context, Iterable<DigestCandidate> elements,
            Collector<SummaryRecord> out) {
        Map<String, DigestCandidate> latest = new LinkedHashMap<>();
        for (DigestCandidate candidate : elements) {
            latest.merge(candidate.docId(), candidate, (a, b) -> a.version() >= b.version() ? a : b);
        }
        List<DigestCandidate> documents = new ArrayList<>(latest.values().stream().filter(c -> !c.deleted()).toList());
        if (documents.isEmpty()) {
            return;
        }
        documents.sort(Comparator.comparingLong(DigestCandidate::producedAtMs)
                .thenComparingLong(DigestCandidate::version));
        DigestText digestText = new DigestText(documents);
        List<SummaryRecord.Sentence> sentences = summarizer
                .summarize(List.of(new SummaryRequest(key, digestText.text(), config.digestSentences()))).get(0)
                .sentences().stream()
                .map(digestText::cite)
                .toList();
        DigestCandidate first = documents.get(0);
        out.collect(SummaryRecord.digest(first.tenant(), first.topic(),
                new SummaryRecord.Window(context.window().getStart(), context.window().getEnd()), sentences,
                summarizer.name()));
    }

    @Override
    public void close() {
        if (summarizer != null) {
            summarizer.close();
        }
    }
}
