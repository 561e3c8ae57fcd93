package dev.diffrag.pipeline.summarize;

import dev.diffrag.connectors.records.DocumentOp;
import dev.diffrag.connectors.records.SummaryRecord;
import dev.diffrag.pipeline.batching.Deadlined;
import dev.diffrag.pipeline.batching.ModelBatchers;
import dev.diffrag.pipeline.batching.QueuedRequests;
import dev.diffrag.serving.MicroBatcher;
import dev.diffrag.summarize.Summarizer;
import dev.diffrag.summarize.Summary;
import dev.diffrag.summarize.SummaryRequest;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.async.ResultFuture;
import org.apache.flink.streaming.api.functions.async.RichAsyncFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Summarizes each new document version through Flink async I/O: versions are queued on a {@link MicroBatcher}, so the
 * summarizer (a GPU model, or a model server) gets batches of documents instead of one at a time. A delete needs no
 * model: it completes at once with a superseding, empty summary.
 *
 * <p>The job never fails because of one document: a version the summarizer did not summarize within the async timeout,
 * whose batch threw, or whose summary quotes other text than the document's at its offsets, gets no summary; it is
 * logged and counted ({@code summaryTimeouts}, {@code summarizerErrors}), and the document's next version supersedes
 * it as usual. It still enters the digest windows, as a removal: the sentences of the document's older version in the
 * same window are no longer its text. Run with ordered output, so a document's versions leave in the order
 * {@link LatestDocumentVersions} let them through.
 */
public final class SummarizeDocuments extends RichAsyncFunction<DocumentVersion, SummarizedVersion> {

    private static final Logger LOG = LoggerFactory.getLogger(SummarizeDocuments.class);

    private final SummarizerFactory summarizerFactory;
    private final SummaryConfig config;

    private transient Summarizer summarizer;
    private transient MicroBatcher<Deadlined<SummaryRequest>, Summary> batcher;
    /** Each version's place on the batcher, so that its timeout can take it out of the queue. */
    private transient QueuedRequests<DocumentVersion, Summary> queued;
    private transient Counter timeouts;
    private transient Counter errors;

    public SummarizeDocuments(SummarizerFactory summarizerFactory, SummaryConfig config) {
        this.summarizerFactory = summarizerFactory;
        this.config = config;
    }

    @Override
    public void open(OpenContext openContext) {
        summarizer = summarizerFactory.create();
        batcher = ModelBatchers.forSubtask("summarizer", getRuntimeContext(), this::summarize,
                config.maxBatchSize(), config.maxBatchDelayMs(), config.capacity());
        queued = new QueuedRequests<>();
        timeouts = getRuntimeContext().getMetricGroup().counter("summaryTimeouts");
        errors = getRuntimeContext().getMetricGroup().counter("summarizerErrors");
    }

    @Override
    public void asyncInvoke(DocumentVersion document, ResultFuture<SummarizedVersion> result) {
        if (document.op() == DocumentOp.DELETE) {
            result.complete(List.of(new SummarizedVersion(
                    SummaryRecord.deleted(document.tenant(), document.docId(), document.version(), summarizer.name(),
                            latency(document)),
                    DigestCandidate.removal(document, document.topic()))));
            return;
        }
        CompletableFuture<Summary> summary = queued.track(document, batcher.submit(Deadlined.in(
                new SummaryRequest(document.key(), document.text(), config.maxSentences()), config.timeoutMs())));
        summary.thenApply(done -> summarized(document, done))
                .whenComplete((summarized, error) -> {
                    if (summary.isCancelled()) {
                        return; // by timeout(), which has completed it already
                    }
                    if (error == null) {
                        result.complete(List.of(summarized));
                    } else {
                        errors.inc();
                        LOG.warn("summarizer {} failed on {} version {}; it gets no summary", summarizer.name(),
                                document.key(), document.version(), error);
                        result.complete(List.of(unsummarized(document)));
                    }
                });
    }

    @Override
    public void timeout(DocumentVersion document, ResultFuture<SummarizedVersion> result) {
        timeouts.inc();
        LOG.warn("summarizer {} took over {} ms on {} version {}; it gets no summary", summarizer.name(),
                config.timeoutMs(), document.key(), document.version());
        result.complete(List.of(unsummarized(document)));
        // Still queued: the batcher then skips it, and its place goes to a version that is still awaited. Left there,
        // after a backlog the summarizer would go on with versions nobody waits for while the queue refused new ones.
        queued.cancel(document);
    }

    private List<Summary> summarize(List<Deadlined<SummaryRequest>> batch) {
        List<SummaryRequest> requests = Deadlined.requests(batch);
        if (summarizer instanceof RemoteSummarizer remote) {
            // Its retries would otherwise get a full timeout from the batch's start, however long the version had
            // waited for it: attempts for versions already given up on, holding up the next batch.
            return remote.summarize(requests, Deadlined.deadlines(batch));
        }
        return summarizer.summarize(requests);
    }

    /** @throws IllegalStateException when a sentence is not the document's text at its offsets */
    private SummarizedVersion summarized(DocumentVersion document, Summary summary) {
        for (Summary.Sentence sentence : summary.sentences()) {
            // Only a model server's reply can get here: it could have summarized another text or counted otherwise.
            if (sentence.start() < 0 || sentence.end() > document.text().length() || sentence.start() > sentence.end()
                    || !document.text().substring(sentence.start(), sentence.end()).equals(sentence.text())) {
                throw new IllegalStateException("sentence [" + sentence.start() + ", " + sentence.end()
                        + ") is not the text of " + document.key() + " version " + document.version() + " there");
            }
        }
        List<SummaryRecord.Sentence> sentences = summary.sentences().stream()
                .map(s -> new SummaryRecord.Sentence(s.text(), s.start(), s.end(), null, null))
                .toList();
        return new SummarizedVersion(
                SummaryRecord.document(document.tenant(), document.docId(), document.version(), sentences,
                        summarizer.name(), latency(document)),
                new DigestCandidate(document.tenant(), document.topic(), document.docId(), document.version(), false,
                        sentences, document.producedAtMs()));
    }

    /** No summary record; the document leaves its digest rather than be cited at a version it no longer has. */
    private static SummarizedVersion unsummarized(DocumentVersion document) {
        return new SummarizedVersion(null, DigestCandidate.removal(document, document.topic()));
    }

    private static long latency(DocumentVersion document) {
        return Math.max(0, System.currentTimeMillis() - document.producedAtMs());
    }

    @Override
    public void close() throws Exception {
        ModelBatchers.close(batcher, summarizer);
    }
}
