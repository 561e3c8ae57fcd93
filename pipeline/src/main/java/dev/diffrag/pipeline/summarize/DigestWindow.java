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
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.windowing.ProcessWindowFunction;
import org.apache.flink.streaming.api.windowing.windows.TimeWindow;
import org.apache.flink.util.Collector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One digest per tenant and topic and event-time window: the summarizer chooses the most salient, non-redundant
 * sentences among the summary sentences of the window's documents (the latest version of each; a document deleted in
 * the window is left out). Each digest sentence cites its document and version.
 *
 * <p>A digest that cannot be made (the summarizer throws, or returns a span that is not one candidate sentence) is
 * skipped, logged and counted in {@code digestErrors}: failing the task would restore the same window and fail again.
 */
public final class DigestWindow extends ProcessWindowFunction<DigestCandidate, SummaryRecord, String, TimeWindow> {

    private static final Logger LOG = LoggerFactory.getLogger(DigestWindow.class);

    private final SummaryConfig config;
    private final SummarizerFactory summarizerFactory;
    private transient Summarizer summarizer;
    private transient Counter errors;

    public DigestWindow(SummaryConfig config, SummarizerFactory summarizerFactory) {
        this.config = config;
        this.summarizerFactory = summarizerFactory;
    }

    @Override
    public void open(OpenContext openContext) {
        summarizer = summarizerFactory.create();
        errors = getRuntimeContext().getMetricGroup().counter("digestErrors");
    }

    @Override
    public void process(String key, Context context, Iterable<DigestCandidate> elements,
            Collector<SummaryRecord> out) {
        List<DigestCandidate> documents = liveDocuments(elements);
        if (documents.isEmpty()) {
            return;
        }
        SummaryRecord.Window window = new SummaryRecord.Window(context.window().getStart(), context.window().getEnd());
        List<SummaryRecord.Sentence> sentences;
        try {
            sentences = digestSentences(key, documents);
        } catch (RuntimeException e) {
            errors.inc();
            LOG.warn("digest {} of window [{}, {}) failed with summarizer {}; it is skipped", key, window.start(),
                    window.end(), summarizer.name(), e);
            return;
        }
        DigestCandidate first = documents.get(0);
        out.collect(SummaryRecord.digest(first.tenant(), first.topic(), window, sentences, summarizer.name()));
    }

    /** The latest version of each document of the window, unless it is a delete; in producer-time order. */
    private static List<DigestCandidate> liveDocuments(Iterable<DigestCandidate> elements) {
        Map<String, DigestCandidate> latest = new LinkedHashMap<>();
        for (DigestCandidate candidate : elements) {
            latest.merge(candidate.docId(), candidate, (a, b) -> a.version() >= b.version() ? a : b);
        }
        List<DigestCandidate> documents = new ArrayList<>(latest.values().stream().filter(c -> !c.deleted()).toList());
        documents.sort(Comparator.comparingLong(DigestCandidate::producedAtMs)
                .thenComparingLong(DigestCandidate::version));
        return documents;
    }

    private List<SummaryRecord.Sentence> digestSentences(String key, List<DigestCandidate> documents) {
        DigestText digestText = new DigestText(documents);
        return summarizer
                .summarize(List.of(new SummaryRequest(key, digestText.text(), config.digestSentences()))).get(0)
                .sentences().stream()
                .map(digestText::cite)
                .toList();
    }

    @Override
    public void close() {
        if (summarizer != null) {
            summarizer.close();
        }
    }
}
