package dev.diffrag.pipeline.summarize;

import dev.diffrag.pipeline.answer.ModelServerClient;
import dev.diffrag.pipeline.answer.RemoteAnswererConfig;
import dev.diffrag.serving.SummarizeApi;
import dev.diffrag.summarize.Summarizer;
import dev.diffrag.summarize.Summary;
import dev.diffrag.summarize.SummaryRequest;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Summarizes by calling a model server's {@code POST /v1/summarize}, one request per document: the server batches
 * requests itself, and a batch of long documents in one request would exceed its body limit (16 documents of 70,000
 * characters did: 413 for all of them). Timeouts, retries and the in-flight limit are {@link ModelServerClient}'s;
 * the server's own summarizer and token budget apply.
 */
public final class RemoteSummarizer implements Summarizer {

    private final ModelServerClient client;
    /** The served model's name, as the server last reported it. */
    private volatile String name = "remote";

    /** @param budgetMs longest a document may take, retries included: the caller's timeout for its summary */
    public RemoteSummarizer(RemoteAnswererConfig config, long budgetMs) {
        this.client = new ModelServerClient(config, budgetMs, SummarizeApi.PATH, RemoteSummaryException::new);
    }

    @Override
    public String name() {
        return name;
    }

    /** Each document with the full budget from now. */
    @Override
    public List<Summary> summarize(List<SummaryRequest> batch) {
        return summarize(batch, Collections.nCopies(batch.size(), client.deadlineFromNow()));
    }

    /**
     * Each document with its own deadline (a {@link System#nanoTime}): a version that waited for its batch has only
     * what is left of its timeout, and is not sent once that has passed.
     */
    public List<Summary> summarize(List<SummaryRequest> batch, List<Long> deadlines) {
        List<CompletableFuture<Summary>> calls = new ArrayList<>(batch.size());
        for (int i = 0; i < batch.size(); i++) {
            SummaryRequest request = batch.get(i);
            SummarizeApi.Request body = new SummarizeApi.Request(
                    List.of(new SummarizeApi.Document(request.id(), request.text())), request.maxSentences());
            calls.add(client.post(body, SummarizeApi.Response.class, deadlines.get(i)).thenApply(this::onlySummary));
        }
        return ModelServerClient.joinAll(calls);
    }

    private Summary onlySummary(SummarizeApi.Response response) {
        if (response.summaries() == null || response.summaries().size() != 1) {
            throw new RemoteSummaryException(SummarizeApi.PATH + " answered "
                    + (response.summaries() == null ? "no" : response.summaries().size()) + " summaries for one document",
                    null);
        }
        name = response.model();
        return response.summaries().get(0);
    }

    /** The model server could not summarize a batch, after any retries. */
    public static final class RemoteSummaryException extends RuntimeException {
        RemoteSummaryException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
