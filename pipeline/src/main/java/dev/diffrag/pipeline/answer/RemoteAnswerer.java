package dev.diffrag.pipeline.answer;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.diffrag.answer.AnswerRequest;
import dev.diffrag.answer.Answerer;
import dev.diffrag.answer.GroundedAnswer;
import dev.diffrag.serving.AnswerApi;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Answers by calling a model server's {@code POST /v1/answer} (see model-server's {@code ModelServer}), one HTTP request
 * per question, all of a batch concurrently: the server batches them again for its model, across every client.
 *
 * <p>Each attempt has a timeout; connection errors, timeouts, 429 and 502/503/504 are retried with exponential backoff
 * (at least the server's {@code Retry-After} on 429), other errors are not. At most {@code maxInFlight} requests are
 * open at once, so a slow server slows this subtask down (Flink back-pressure) instead of being flooded. A question
 * that still fails fails its batch, which {@link AnswerQuestions} answers with abstentions naming the error.
 */
public final class RemoteAnswerer implements Answerer {

    private static final Set<Integer> RETRIED_STATUSES = Set.of(429, 502, 503, 504);
    private static final long FIRST_BACKOFF_MS = 100;
    private static final long MAX_BACKOFF_MS = 2_000;

    private final RemoteAnswererConfig config;
    private final URI endpoint;
    private final HttpClient http;
    private final Semaphore inFlight;
    private final ObjectMapper json = new ObjectMapper();
    /** The served model's name, as the server last reported it. */
    private volatile String name = "remote";

    public RemoteAnswerer(RemoteAnswererConfig config) {
        this.config = config;
        this.endpoint = URI.create(config.url() + AnswerApi.PATH);
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofMillis(config.timeoutMs())).build();
        this.inFlight = new Semaphore(config.maxInFlight());
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public List<GroundedAnswer> answer(List<AnswerRequest> batch) {
        List<CompletableFuture<GroundedAnswer>> answers = new ArrayList<>(batch.size());
        try {
            for (AnswerRequest request : batch) {
                inFlight.acquire();
                CompletableFuture<GroundedAnswer> answer;
                try {
                    answer = attempt(body(request), 0);
                } catch (RuntimeException e) {
                    inFlight.release();
                    throw e;
                }
                answers.add(answer.whenComplete((a, e) -> inFlight.release()));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for an in-flight slot", e);
        }
        try {
            return answers.stream().map(CompletableFuture::join).toList();
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException runtime ? runtime : e;
        }
    }

    private byte[] body(AnswerRequest request) {
        List<AnswerApi.Context> contexts =
                request.contexts().stream().map(p -> new AnswerApi.Context(p.id(), p.text())).toList();
        try {
            return json.writeValueAsBytes(new AnswerApi.Request(request.question(), contexts, null));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private CompletableFuture<GroundedAnswer> attempt(byte[] body, int attempt) {
        HttpRequest.Builder request = HttpRequest.newBuilder(endpoint)
                .timeout(Duration.ofMillis(config.timeoutMs()))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (config.token() != null) {
            request.header("Authorization", "Bearer " + config.token());
        }
        return http.sendAsync(request.build(), HttpResponse.BodyHandlers.ofByteArray())
                .handle((response, error) -> {
                    if (error == null && response.statusCode() == 200) {
                        return CompletableFuture.completedFuture(parse(response.body()));
                    }
                    boolean retried = error != null || RETRIED_STATUSES.contains(response.statusCode());
                    RemoteAnswerException failure = error != null
                            ? new RemoteAnswerException(endpoint + " failed: " + unwrap(error), unwrap(error))
                            : new RemoteAnswerException(endpoint + " answered " + response.statusCode() + ": "
                                    + new String(response.body(), StandardCharsets.UTF_8), null);
                    if (!retried || attempt >= config.retries()) {
                        return CompletableFuture.<GroundedAnswer>failedFuture(failure);
                    }
                    long delay = backoffMs(attempt, error == null ? response : null);
                    return CompletableFuture.supplyAsync(() -> attempt(body, attempt + 1),
                            CompletableFuture.delayedExecutor(delay, TimeUnit.MILLISECONDS)).thenCompose(f -> f);
                })
                .thenCompose(f -> f);
    }

    private GroundedAnswer parse(byte[] body) {
        try {
            AnswerApi.Response response = json.readValue(body, AnswerApi.Response.class);
            name = response.model();
            return response.toGroundedAnswer();
        } catch (IOException e) {
            throw new RemoteAnswerException(endpoint + " answered malformed JSON: " + e.getMessage(), e);
        }
    }

    /** 100 ms doubling per attempt, capped at 2 s; never shorter than a 429's Retry-After. */
    static long backoffMs(int attempt, HttpResponse<?> response) {
        long backoff = Math.min(MAX_BACKOFF_MS, FIRST_BACKOFF_MS << Math.min(attempt, 20));
        if (response != null) {
            long retryAfterMs = response.headers().firstValue("Retry-After").map(RemoteAnswerer::seconds).orElse(0L)
                    * 1000;
            backoff = Math.max(backoff, Math.min(retryAfterMs, 5 * MAX_BACKOFF_MS));
        }
        return backoff;
    }

    private static long seconds(String value) {
        try {
            return Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            return 0; // an HTTP date: fall back to the exponential backoff
        }
    }

    private static Throwable unwrap(Throwable error) {
        return error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    }

    /** The model server could not answer a question, after any retries. */
    public static final class RemoteAnswerException extends RuntimeException {
        RemoteAnswerException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
