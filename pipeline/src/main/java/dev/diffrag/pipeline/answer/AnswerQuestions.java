package dev.diffrag.pipeline.answer;

import dev.diffrag.answer.AnswerRequest;
import dev.diffrag.answer.Answerer;
import dev.diffrag.answer.GroundedAnswer;
import dev.diffrag.answer.Passage;
import dev.diffrag.connectors.records.AnswerRecord;
import dev.diffrag.pipeline.batching.Deadlined;
import dev.diffrag.pipeline.batching.ModelBatchers;
import dev.diffrag.pipeline.batching.QueuedRequests;
import dev.diffrag.pipeline.retrieve.RetrievalResult;
import dev.diffrag.serving.MicroBatcher;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.streaming.api.functions.async.ResultFuture;
import org.apache.flink.streaming.api.functions.async.RichAsyncFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers retrieved questions through Flink async I/O: each question is queued on a {@link MicroBatcher}, so a model
 * is called with batches of questions instead of one at a time, while the task thread keeps reading input.
 *
 * <p>The job never fails because of one question: a question without passages, one the answerer did not answer within
 * the async timeout, and one whose batch threw are each answered with an abstention whose {@code reason} says why
 * ({@link AnswerRecords#NO_PASSAGES}, {@link AnswerRecords#TIMEOUT}, {@link AnswerRecords#ANSWERER_ERROR}). A stuck
 * or broken model thus shows up in the answers and the abstention metric rather than as a restart loop.
 */
public final class AnswerQuestions extends RichAsyncFunction<RetrievalResult, AnswerRecord> {

    private static final Logger LOG = LoggerFactory.getLogger(AnswerQuestions.class);

    private final AnswererFactory answererFactory;
    private final AnswerConfig config;

    private transient Answerer answerer;
    private transient MicroBatcher<Deadlined<AnswerRequest>, GroundedAnswer> batcher;
    /** Each question's place on the batcher, so that its timeout can take it out of the queue. */
    private transient QueuedRequests<RetrievalResult, GroundedAnswer> queued;

    public AnswerQuestions(AnswererFactory answererFactory, AnswerConfig config) {
        this.answererFactory = answererFactory;
        this.config = config;
    }

    @Override
    public void open(OpenContext openContext) {
        answerer = answererFactory.create();
        batcher = ModelBatchers.forSubtask("answerer", getRuntimeContext(), this::answer,
                config.maxBatchSize(), config.maxBatchDelayMs(), config.capacity());
        queued = new QueuedRequests<>();
    }

    @Override
    public void asyncInvoke(RetrievalResult retrieval, ResultFuture<AnswerRecord> result) {
        if (retrieval.passages().isEmpty()) {
            result.complete(List.of(AnswerRecords.abstained(
                    retrieval, AnswerRecords.NO_PASSAGES, 0, answerer.name(), System.currentTimeMillis())));
            return;
        }
        CompletableFuture<GroundedAnswer> answer =
                queued.track(retrieval, batcher.submit(Deadlined.in(request(retrieval), config.timeoutMs())));
        // Building the record is inside the chain, so an answer that cannot be one (e.g. a remote model citing a
        // passage it was not given) abstains with the error instead of throwing in a callback and timing out.
        answer.thenApply(grounded -> AnswerRecords.of(retrieval, grounded, answerer.name(), System.currentTimeMillis()))
                .whenComplete((record, error) -> {
                    if (answer.isCancelled()) {
                        return; // by timeout(), which has answered already
                    }
                    if (error == null) {
                        result.complete(List.of(record));
                    } else {
                        Throwable cause = error instanceof CompletionException && error.getCause() != null
                                ? error.getCause()
                                : error;
                        LOG.warn("answerer {} failed on question {}", answerer.name(), retrieval.question().key(), cause);
                        result.complete(List.of(AnswerRecords.abstained(retrieval,
                                AnswerRecords.ANSWERER_ERROR + ": " + cause, 0, answerer.name(),
                                System.currentTimeMillis())));
                    }
                });
    }

    @Override
    public void timeout(RetrievalResult retrieval, ResultFuture<AnswerRecord> result) {
        result.complete(List.of(AnswerRecords.abstained(
                retrieval, AnswerRecords.TIMEOUT, 0, answerer.name(), System.currentTimeMillis())));
        // Still queued: the batcher then skips it. After a backlog, answering questions nobody waits for any more
        // would make every later question time out too.
        queued.cancel(retrieval);
    }

    private List<GroundedAnswer> answer(List<Deadlined<AnswerRequest>> batch) {
        List<AnswerRequest> requests = Deadlined.requests(batch);
        if (answerer instanceof RemoteAnswerer remote) {
            // Its retries would otherwise get a full timeout from the batch's start, however long the question had
            // waited for it: attempts for questions already answered with a timeout, holding up the next batch.
            return remote.answer(requests, Deadlined.deadlines(batch));
        }
        return answerer.answer(requests);
    }

    static AnswerRequest request(RetrievalResult retrieval) {
        return new AnswerRequest(
                retrieval.question().question(),
                retrieval.passages().stream().map(p -> new Passage(p.chunkId(), p.text())).toList());
    }

    @Override
    public void close() throws Exception {
        ModelBatchers.close(batcher, answerer);
    }
}
