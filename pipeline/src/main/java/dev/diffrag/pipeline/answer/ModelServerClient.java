package dev.diffrag.pipeline.answer;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.diffrag.serving.MicroBatcher;
import dev.diffrag.serving.ModelServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BiFunction;

/**
 * JSON POSTs to one route of a model server (see model-server's {@code ModelServer}), shared by the remote answerer and
 * the remote summarizer.
 *
 * <p>Each attempt has a timeout; connection errors, timeouts, 429 and 502/503/504 are retried with jittered exponential
 * backoff (at least the server's {@code Retry-After} on 429, read up to 10 s), other errors are not. A request's attempts and backoffs fit in
 * its budget, the caller's own timeout: with the default 30 s attempts and two retries, a request the pipeline had
 * abstained on at 60 s was still sent a third time, holding its in-flight slot and its batch for up to 30 s more. Each attempt tells the server its timeout
 * ({@link ModelServer#TIMEOUT_HEADER}), so an attempt this client stopped waiting for leaves the server's queue
 * rather than being computed beside its own retry. At most {@code maxInFlight} requests are open at once:
 * {@link #post} blocks for a slot, so a slow server slows the calling subtask down (Flink back-pressure) instead of
 * being flooded.
 */
public final class ModelServerClient {

    private static final Set<Integer> RETRIED_STATUSES = Set.of(429, 502, 503, 504);
    private static final long FIRST_BACKOFF_MS = 100;
    private static final long MAX_BACKOFF_MS = 2_000;
    /**
     * Most characters of an error response quoted in a failure. Its message becomes the answer's abstention reason and
     * a warning in the log: a whole 2 MB error page (of a proxy, or another service at a wrong URL) made a reason over
     * Kafka's default 1 MB record limit. The model server's own errors are far shorter.
     */
    static final int MAX_QUOTED_BODY_CHARS = 1_000;

    private final RemoteAnswererConfig config;
    private final long budgetNanos;
    private final URI endpoint;
    /** Makes the caller's exception type from a message and its cause (null when the server answered an error). */
    private final BiFunction<String, Throwable, ? extends RuntimeException> failure;
    private final HttpClient http;
    private final Semaphore inFlight;
    private final ObjectMapper json = new ObjectMapper();

    /**
     * @param budgetMs longest one request may take, its retries included
     * @param path     the route, e.g. {@code /v1/answer}
     * @param failure  the exception a request that still fails (after any retries) completes with
     */
    public ModelServerClient(RemoteAnswererConfig config, long budgetMs, String path,
            BiFunction<String, Throwable, ? extends RuntimeException> failure) {
        if (budgetMs < 1) {
            throw new IllegalArgumentException("budgetMs must be positive, got " + budgetMs);
        }
        this.config = config;
        this.budgetNanos = TimeUnit.MILLISECONDS.toNanos(budgetMs);
        this.endpoint = URI.create(config.url() + path);
        this.failure = failure;
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofMillis(config.timeoutMs())).build();
        this.inFlight = new Semaphore(config.maxInFlight());
    }

    /**
     * Sends {@code request} as JSON once an in-flight slot is free (blocking until then) and reads the 200 answer as a
     * {@code responseType}; the future fails with the caller's exception otherwise.
     */
    public <T> CompletableFuture<T> post(Object request, Class<T> responseType) {
        return post(request, responseType, deadlineFromNow());
    }

    /** The end of a budget that starts now, as a {@link System#nanoTime}. */
    public long deadlineFromNow() {
        return System.nanoTime() + budgetNanos;
    }

    /**
     * As {@link #post(Object, Class)}, with attempts and backoffs ending by {@code deadline} (a
     * {@link System#nanoTime}), the caller's own, instead of a full budget from now; nothing is sent once it has
     * passed.
     */
    public <T> CompletableFuture<T> post(Object request, Class<T> responseType, long deadline) {
        byte[] body;
        try {
            body = json.writeValueAsBytes(request);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            inFlight.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for an in-flight slot", e);
        }
        if (remainingMs(deadline) <= 0) {
            inFlight.release();
            return CompletableFuture.failedFuture(
                    failure.apply(endpoint + " not called: the request's time was up before it could be sent", null));
        }
        CompletableFuture<byte[]> response;
        try {
            response = attempt(body, 0, deadline);
        } catch (RuntimeException e) {
            inFlight.release();
            throw e;
        }
        return response.whenComplete((r, e) -> inFlight.release()).thenApply(bytes -> parse(bytes, responseType));
    }

    /** Attempt number {@code attempt}, and those after it until {@code deadline} (a {@link System#nanoTime}). */
    private CompletableFuture<byte[]> attempt(byte[] body, int attempt, long deadline) {
        long timeoutMs = Math.max(1, Math.min(config.timeoutMs(), remainingMs(deadline)));
        HttpRequest.Builder request = HttpRequest.newBuilder(endpoint)
                .timeout(Duration.ofMillis(timeoutMs))
                .header("Content-Type", "application/json")
                // The server gives up on the request when this attempt does, instead of computing it for nobody.
                .header(ModelServer.TIMEOUT_HEADER, Long.toString(timeoutMs))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (config.token() != null) {
            request.header("Authorization", "Bearer " + config.token());
        }
        return within(http.sendAsync(request.build(), HttpResponse.BodyHandlers.ofByteArray()), timeoutMs)
                .handle((response, error) -> {
                    if (error == null && response.statusCode() == 200) {
                        return CompletableFuture.completedFuture(response.body());
                    }
                    boolean retried = error != null || RETRIED_STATUSES.contains(response.statusCode());
                    RuntimeException failed = error != null
                            ? failure.apply(endpoint + " failed: " + unwrap(error), unwrap(error))
                            : failure.apply(endpoint + " answered " + response.statusCode() + ": "
                                    + quoted(response.body()), null);
                    long delay = backoffMs(attempt, error == null ? response.headers() : null);
                    if (!retried || attempt >= config.retries() || remainingMs(deadline) <= delay) {
                        return CompletableFuture.<byte[]>failedFuture(failed);
                    }
                    return CompletableFuture.supplyAsync(() -> attempt(body, attempt + 1, deadline),
                            CompletableFuture.delayedExecutor(delay, TimeUnit.MILLISECONDS)).thenCompose(f -> f);
                })
                .thenCompose(f -> f);
    }

    /**
     * {@code exchange}, or an {@link HttpTimeoutException} once {@code timeoutMs} have passed, when it is aborted (which
     * closes its connection). HttpRequest's own timeout ends when the response's headers are in: a body that stopped
     * coming held the attempt, its in-flight slot and the batch that sent it forever.
     */
    private static <T> CompletableFuture<T> within(CompletableFuture<T> exchange, long timeoutMs) {
        return exchange.copy().orTimeout(timeoutMs, TimeUnit.MILLISECONDS).exceptionallyCompose(error -> {
            if (!(error instanceof TimeoutException)) {
                return CompletableFuture.failedFuture(error);
            }
            exchange.cancel(true);
            return CompletableFuture.failedFuture(
                    new HttpTimeoutException("timed out: no whole response within " + timeoutMs + " ms"));
        });
    }

    /** An error response's body, cut to {@link #MAX_QUOTED_BODY_CHARS} (whole code points). */
    private static String quoted(byte[] body) {
        String text = new String(body, StandardCharsets.UTF_8);
        if (text.length() <= MAX_QUOTED_BODY_CHARS) {
            return text;
        }
        int end = Character.isHighSurrogate(text.charAt(MAX_QUOTED_BODY_CHARS - 1))
                ? MAX_QUOTED_BODY_CHARS - 1
                : MAX_QUOTED_BODY_CHARS;
        return text.substring(0, end) + "… (the first " + end + " of " + text.length() + " characters)";
    }

    private static long remainingMs(long deadline) {
        return TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
    }

    private <T> T parse(byte[] body, Class<T> type) {
        try {
            return json.readValue(body, type);
        } catch (IOException e) {
            throw failure.apply(endpoint + " answered malformed JSON: " + e.getMessage(), e);
        }
    }

    /**
     * 100 ms doubling per attempt, capped at 2 s, of which a random half is waited ("equal jitter"): every subtask's
     * client retries a restarting server, and without jitter they would all come back in the same millisecond. Never
     * shorter than a 429's Retry-After (read up to 10 s), and jittered above it too.
     *
     * @param response the headers of the server's answer, or null when there was none (a connection error)
     */
    static long backoffMs(int attempt, HttpHeaders response) {
        long ceiling = Math.min(MAX_BACKOFF_MS, FIRST_BACKOFF_MS << Math.min(attempt, 20));
        long backoff = ceiling / 2 + ThreadLocalRandom.current().nextLong(ceiling / 2 + 1);
        if (response != null) {
            long retryAfterMs = Math.min(5 * MAX_BACKOFF_MS,
                    response.firstValue("Retry-After").map(ModelServerClient::seconds).orElse(0L) * 1000);
            if (retryAfterMs > backoff) {
                // Every request one full queue turned away was told the same Retry-After: waiting exactly that long,
                // they would all come back in the same millisecond and fill the queue again. Up to half as long again.
                backoff = retryAfterMs + ThreadLocalRandom.current().nextLong(retryAfterMs / 2 + 1);
            }
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

    /**
     * The values of a batch of requests, in order, once all have ended. A lone request's failure is thrown as it is;
     * when requests of a larger batch failed, all of them or some, a {@link MicroBatcher.PartialFailure} with every
     * request's outcome, so that the batcher neither fails the answered requests nor sends any of them again: on a
     * plain exception it would run the batch once more request by request, doubling every attempt (and its retries)
     * against a server that was refusing them all.
     */
    public static <T> List<T> joinAll(List<CompletableFuture<T>> futures) {
        List<T> values = new ArrayList<>(futures.size());
        List<RuntimeException> errors = new ArrayList<>(futures.size());
        for (CompletableFuture<T> future : futures) {
            try {
                values.add(future.join());
                errors.add(null);
            } catch (CompletionException e) {
                values.add(null);
                errors.add(e.getCause() instanceof RuntimeException runtime ? runtime : e);
            }
        }
        List<RuntimeException> failures = errors.stream().filter(Objects::nonNull).toList();
        if (failures.isEmpty()) {
            return values;
        }
        if (futures.size() == 1) {
            throw failures.get(0);
        }
        throw new MicroBatcher.PartialFailure(values, errors);
    }
}
