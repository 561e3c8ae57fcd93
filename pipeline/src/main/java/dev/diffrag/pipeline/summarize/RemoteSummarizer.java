package dev.diffrag.pipeline.summarize;

import dev.diffrag.pipeline.answer.ModelServerClient;
import dev.diffrag.pipeline.answer.RemoteAnswererConfig;
import dev.diffrag.serving.SummarizeApi;
import dev.diffrag.summarize.Summarizer;
import dev.diffrag.summarize.Summary;
import dev.diffrag.summarize.SummaryRequest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Summarizes by calling a model server's {@code POST /v1/summarize}: one HTTP request per distinct
 * {@code maxSentences} of a batch (the API takes one per request), so a usual batch is one request. Timeouts, retries
 * and the in-flight limit are {@link ModelServerClient}'s; the server's own summarizer and token budget apply.
 */
public final class RemoteSummarizer implements Summarizer {

    private final ModelServerClient client;
    /** The served model's name, as the server last reported it. */
    private volatile String name = "remote";

    public RemoteSummarizer(RemoteAnswererConfig config) {
        this.client = new ModelServerClient(config, SummarizeApi.PATH, RemoteSummaryException::new);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public List<Summary> summarize(List<SummaryRequest> batch) {
        Map<Integer, List<Integer>> positionsBySentences = new LinkedHashMap<>();
        for (int i = 0; i < batch.size(); i++) {
            positionsBySentences.computeIfAbsent(batch.get(i).maxSentences(), k -> new ArrayList<>()).add(i);
        }
        List<CompletableFuture<List<Summary>>> calls = new ArrayList<>();
        for (Map.Entry<Integer, List<Integer>> group : positionsBySentences.entrySet()) {
            List<SummarizeApi.Document> documents = group.getValue().stream()
                    .map(i -> new SummarizeApi.Document(batch.get(i).id(), batch.get(i).text()))
                    .toList();
            calls.add(client.post(new SummarizeApi.Request(documents, group.getKey()), SummarizeApi.Response.class)
                    .thenApply(response -> summaries(response, documents.size())));
        }
        List<List<Summary>> answered = ModelServerClient.joinAll(calls);
        Summary[] inOrder = new Summary[batch.size()];
        int call = 0;
        for (List<Integer> positions : positionsBySentences.values()) {
            for (int j = 0; j < positions.size(); j++) {
                inOrder[positions.get(j)] = answered.get(call).get(j);
            }
            call++;
        }
        return List.of(inOrder);
    }

    private List<Summary> summaries(SummarizeApi.Response response, int documents) {
        if (response.summaries() == null || response.summaries().size() != documents) {
            throw new RemoteSummaryException(SummarizeApi.PATH + " answered "
                    + (response.summaries() == null ? "no" : response.summaries().size()) + " summaries for "
                    + documents + " documents", null);
        }
        name = response.model();
        return response.summaries();
    }

    /** The model server could not summarize a batch, after any retries. */
    public static final class RemoteSummaryException extends RuntimeException {
        RemoteSummaryException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
