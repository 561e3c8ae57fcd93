package dev.diffrag.pipeline.summarize;

import dev.diffrag.connectors.records.SummaryRecord;
import dev.diffrag.pipeline.ReplayHorizon;
import dev.diffrag.summarize.SalienceSummarizer;
import dev.diffrag.summarize.Summarizer;
import dev.diffrag.summarize.Summary;
import dev.diffrag.summarize.SummaryRequest;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.StreamSupport;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
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
 * <p>A summarizer reads only so many sentences of one text (the shipped salience models 64), so a window with more
 * candidates than that is summarized in groups, in one batch, and the groups' choices compete again until one request
 * holds them all: every document's sentences are read, however many documents the window has.
 *
 * <p>A digest that cannot be made (the summarizer throws, or returns a span that is not one candidate sentence) is
 * skipped, logged and counted in {@code digestErrors}: failing the task would restore the same window and fail again.
 */
public final class DigestWindow extends ProcessWindowFunction<DigestCandidate, SummaryRecord, String, TimeWindow> {

    private static final Logger LOG = LoggerFactory.getLogger(DigestWindow.class);

    private final SummaryConfig config;
    private final SummarizerFactory summarizerFactory;
    private transient Summarizer summarizer;
    /**
     * The end of the last window this key fired. Watermarks are not checkpointed: after a restore a straggler for an
     * already fired window would open that window anew, and its digest, of stragglers only, would replace the full one
     * under the same key. Such a window is dropped and its candidates counted as late instead. Kept for the
     * {@link ReplayHorizon}, as no replay reaches further back.
     */
    private static final ValueStateDescriptor<Long> LAST_FIRED_END =
            ReplayHorizon.expiring(new ValueStateDescriptor<>("last-fired-window-end", Types.LONG));

    private transient int linesPerRequest;
    private transient Counter errors;
    private transient Counter late;

    public DigestWindow(SummaryConfig config, SummarizerFactory summarizerFactory) {
        this.config = config;
        this.summarizerFactory = summarizerFactory;
    }

    @Override
    public void open(OpenContext openContext) {
        summarizer = summarizerFactory.create();
        linesPerRequest = linesPerRequest(summarizer, config.digestCandidates());
        errors = getRuntimeContext().getMetricGroup().counter("digestErrors");
        late = getRuntimeContext().getMetricGroup().counter("lateDigestCandidates");
    }

    @Override
    public void process(String key, Context context, Iterable<DigestCandidate> elements,
            Collector<SummaryRecord> out) throws IOException {
        SummaryRecord.Window window = new SummaryRecord.Window(context.window().getStart(), context.window().getEnd());
        ValueState<Long> lastFiredEnd = context.globalState().getState(LAST_FIRED_END);
        if (lastFiredEnd.value() != null && window.end() <= lastFiredEnd.value()) {
            long count = StreamSupport.stream(elements.spliterator(), false).count();
            late.inc(count);
            LOG.warn("{} candidates of digest {} came after its window [{}, {}) had fired (before a restore); they are "
                    + "in no digest", count, key, window.start(), window.end());
            return;
        }
        lastFiredEnd.update(window.end());
        List<DigestCandidate> documents = liveDocuments(elements);
        // none live, or their summaries have no sentences (a token budget under every sentence): nothing to digest
        List<SummaryRecord.Sentence> candidates = DigestText.candidates(documents);
        if (candidates.isEmpty()) {
            return;
        }
        List<SummaryRecord.Sentence> sentences;
        try {
            sentences = digestSentences(key, candidates);
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

    /**
     * The most candidates one request may hold: the configured number, or fewer when a salience model reads fewer
     * sentences (it scores only its first {@code maxSentences}; a candidate is one sentence to the splitter, as it
     * was in its document). A model server serves the shipped salience models (or lead-N, for which fewer per request
     * only means more rounds).
     */
    static int linesPerRequest(Summarizer summarizer, int configured) {
        if (summarizer instanceof SalienceSummarizer salience) {
            return Math.min(configured, salience.model().config().maxSentences());
        }
        return summarizer instanceof RemoteSummarizer
                ? Math.min(configured, SummaryConfig.DEFAULT_DIGEST_CANDIDATES)
                : configured;
    }

    /** The digest's sentences, chosen in rounds until all remaining candidates fit one request. */
    private List<SummaryRecord.Sentence> digestSentences(String key, List<SummaryRecord.Sentence> candidates) {
        List<SummaryRecord.Sentence> remaining = candidates;
        while (remaining.size() > linesPerRequest) {
            List<SummaryRecord.Sentence> chosen = chooseInGroups(key, remaining);
            if (chosen.size() >= remaining.size()) {
                // only a summarizer choosing more than asked gets here; another round would not end either
                throw new IllegalStateException(summarizer.name() + " chose " + chosen.size() + " of "
                        + remaining.size() + " candidates in groups of " + linesPerRequest);
            }
            remaining = chosen;
        }
        return chooseInGroups(key, remaining);
    }

    /** What each consecutive group of at most {@link #linesPerRequest} candidates chooses, in candidate order. */
    private List<SummaryRecord.Sentence> chooseInGroups(String key, List<SummaryRecord.Sentence> candidates) {
        List<DigestText> groups = new ArrayList<>();
        for (int from = 0; from < candidates.size(); from += linesPerRequest) {
            groups.add(new DigestText(candidates.subList(from, Math.min(from + linesPerRequest, candidates.size()))));
        }
        List<Summary> summaries = summarizer.summarize(groups.stream()
                .map(group -> new SummaryRequest(key, group.text(), config.digestSentences()))
                .toList());
        List<SummaryRecord.Sentence> chosen = new ArrayList<>();
        for (int g = 0; g < groups.size(); g++) {
            summaries.get(g).sentences().stream().map(groups.get(g)::cite).forEach(chosen::add);
        }
        return chosen;
    }

    @Override
    public void close() {
        if (summarizer != null) {
            summarizer.close();
        }
    }
}
