package dev.diffrag.serving;

import ai.djl.Device;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.type.LogicalType;
import dev.diffrag.answer.AnswerRequest;
import dev.diffrag.answer.Answerer;
import dev.diffrag.answer.GroundedAnswer;
import dev.diffrag.answer.Passage;
import dev.diffrag.summarize.Summarizer;
import dev.diffrag.summarize.Summary;
import dev.diffrag.summarize.SummaryRequest;
import dev.diffrag.text.SentenceSplitter;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.eclipse.jetty.server.handler.StatisticsHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The models behind HTTP: {@code POST /v1/answer}, {@code POST /v1/summarize}, {@code GET /healthz},
 * {@code GET /readyz}, {@code GET /metrics}. Requests of each model are queued on a {@link MicroBatcher}, so the model
 * runs on batches (bounded by {@code maxBatchSize} and {@code maxBatchDelayMs}) however the requests arrive; a full
 * queue answers 429 with {@code Retry-After} instead of letting latency grow without bound, and a request whose client
 * sent {@link #TIMEOUT_HEADER} is given up on (504) when that time has passed.
 *
 * <p>Shutdown ({@link #close}) is graceful: the server stops accepting connections, Jetty waits (up to
 * {@code shutdownTimeoutMs}) for the requests in flight, whose batches keep running, and only then are the batchers and
 * models closed. Requests still queued when that time is up are failed, not computed.
 */
public final class ModelServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ModelServer.class);

    static final String ANSWER_ROLE = "answer";
    static final String SUMMARIZE_ROLE = "summarize";
    /** Each route and the one method it serves. */
    private static final Map<String, String> ROUTES = Map.of(AnswerApi.PATH, "POST", SummarizeApi.PATH, "POST",
            "/healthz", "GET", "/readyz", "GET", "/metrics", "GET");
    /** Seconds a client told 429 should wait: a few batches' time on any device this server targets. */
    private static final String RETRY_AFTER_SECONDS = "1";
    private static final String BEARER = "Bearer ";
    /**
     * How long the client will wait, in milliseconds. Once it has passed the request's work is cancelled and it gets
     * 504: a client that timed out (and perhaps retried) gets nothing from its queued request, and computing it anyway
     * would put every later request further behind.
     */
    public static final String TIMEOUT_HEADER = "X-Request-Timeout-Ms";

    /** A request that gets an error status and a JSON {@code {"error": message}}. */
    static final class ApiError extends RuntimeException {
        final int status;

        ApiError(int status, String message) {
            super(message);
            this.status = status;
        }
    }

    private final ServerConfig config;
    private final Device device;
    private final Answerer answerer;
    private final Summarizer summarizer;
    private final ServerMetrics metrics;
    private final MicroBatcher<AnswerRequest, GroundedAnswer> answers;
    private final MicroBatcher<SummaryRequest, Summary> summaries;
    /**
     * Ends clients' {@link #TIMEOUT_HEADER} budgets. A request done sooner drops its timer: left queued, a timer holds
     * the request's results for the rest of the budget, which a client may set to hours.
     */
    private final ScheduledThreadPoolExecutor timeouts = new ScheduledThreadPoolExecutor(1, task -> {
        Thread thread = new Thread(task, "request-timeouts");
        thread.setDaemon(true);
        return thread;
    });
    /**
     * Strict, like the records on the Kafka topics: {@code "question": 5}, {@code "topK": "2"} or {@code 1.9} and a
     * field given twice are 400s, not quietly read as "5", 2, 1 or the last value. The same rules as connectors'
     * {@code Json.MAPPER}, repeated because the model server's image must not carry the Kafka and Flink libraries.
     */
    private final ObjectMapper json = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
            .withCoercionConfig(LogicalType.Textual, text -> text
                    .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail))
            .withCoercionConfig(LogicalType.Integer, integer -> integer
                    .setCoercion(CoercionInputShape.Float, CoercionAction.Fail))
            .build();
    private final byte[] bearer;
    private final Javalin app;
    private final AtomicBoolean ready = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();

    /**
     * @param summarizer null to serve no summarizer ({@code /v1/summarize} then answers 501)
     */
    public ModelServer(ServerConfig config, Device device, Answerer answerer, Summarizer summarizer) {
        this.config = config;
        this.device = device;
        this.answerer = answerer;
        this.summarizer = summarizer;
        this.metrics = new ServerMetrics(device, answerer.name(), summarizer == null ? "none" : summarizer.name());
        this.answers = batcher(ANSWER_ROLE, answerer::answer);
        this.summaries = summarizer == null ? null : batcher(SUMMARIZE_ROLE, summarizer::summarize);
        metrics.queueDepth(ANSWER_ROLE, answers::queued);
        if (summaries != null) {
            metrics.queueDepth(SUMMARIZE_ROLE, summaries::queued);
        }
        timeouts.setRemoveOnCancelPolicy(true);
        this.bearer = config.token() == null ? null : config.token().getBytes(StandardCharsets.UTF_8);
        this.app = Javalin.create(javalin -> {
            javalin.showJavalinBanner = false;
            // Jetty waits for requests in flight on stop only with a statistics handler and a stop timeout (set once
            // started, see start).
            javalin.jetty.modifyServer(server -> server.setHandler(new StatisticsHandler()));
            javalin.requestLogger.http((ctx, ms) -> metrics.request(route(ctx.path()), ctx.statusCode(), ms / 1000.0));
        });
        app.before("/v1/*", this::authenticate);
        app.post(AnswerApi.PATH, this::answer);
        app.post(SummarizeApi.PATH, this::summarize);
        app.get("/healthz", ctx -> ctx.contentType("text/plain").result("ok"));
        app.get("/readyz", this::readiness);
        app.get("/metrics", ctx -> ctx.contentType(metrics.contentType()).result(metrics.scrape()));
        app.exception(ApiError.class, (e, ctx) -> error(ctx, e.status, e.getMessage()));
        // No route sets 404 itself: this is Javalin's "endpoint not found", answered as JSON like every other error,
        // or 405 with the method to use where the path is served under another method (GET /v1/answer).
        app.error(404, ctx -> {
            String method = ROUTES.get(normalized(ctx.path()));
            if (method != null) {
                ctx.header("Allow", method);
                error(ctx, 405, ctx.method() + " " + ctx.path() + " is not served; use " + method);
            } else {
                error(ctx, 404, "no route " + ctx.method() + " " + ctx.path() + "; the API is POST " + AnswerApi.PATH
                        + ", POST " + SummarizeApi.PATH + ", GET /healthz, /readyz and /metrics");
            }
        });
        app.exception(Exception.class, (e, ctx) -> {
            LOG.error("request {} {} failed", ctx.method(), ctx.path(), e);
            error(ctx, 500, "internal error: " + e);
        });
    }

    /** The metrics label of a path: its route, also when a trailing slash was sent (Javalin serves it), else other. */
    private static String route(String path) {
        String route = normalized(path);
        return ROUTES.containsKey(route) ? route : "other";
    }

    private static String normalized(String path) {
        return path.replaceFirst("/+$", "");
    }

    private <I, O> MicroBatcher<I, O> batcher(String role, Function<List<I>, List<O>> model) {
        return new MicroBatcher<>(role + "-batcher", batch -> {
            long start = System.nanoTime();
            try {
                return model.apply(batch);
            } catch (RuntimeException | Error e) {
                metrics.batchFailed(role);
                throw e;
            } finally {
                // A failed call took the device's time too (a batch too large for its memory, say).
                metrics.batch(role, batch.size(), (System.nanoTime() - start) / 1e9);
            }
        }, config.maxBatchSize(), Duration.ofMillis(config.maxBatchDelayMs()), config.queueCapacity());
    }

    /** Listens on every interface, then warms up; see {@link #start(String)}. */
    public ModelServer start() {
        return start("0.0.0.0");
    }

    /**
     * Listens on {@code host}, then warms each model with one request through its batcher; ready once that answered.
     * A server whose model fails the warm-up is closed before the error is thrown: left listening, its web threads
     * would keep the process alive, never ready, so no supervisor would restart it. A server closed during its warm-up
     * is never ready either, and this throws.
     */
    public ModelServer start(String host) {
        try {
            app.start(host, config.port());
        } catch (RuntimeException e) {
            close(); // the batcher threads and models would outlive a server that never served
            throw e;
        }
        // Not before: with a stop timeout, the graceful stop after a failed start ends in "IllegalStateException:
        // STOPPED" and loses the reason (a port in use, JavalinBindException).
        app.jettyServer().server().setStopTimeout(config.shutdownTimeoutMs());
        LOG.info("model server listening on port {}: {}, device {}, answerer {}, summarizer {}", port(), config,
                device, answerer.name(), summarizer == null ? "none" : summarizer.name());
        try {
            answers.submit(new AnswerRequest("What does the server do before it is ready?", List.of(
                    new Passage("warm-up", "The server warms up its models before it reports ready.")))).get();
            if (summaries != null) {
                summaries.submit(new SummaryRequest("warm-up",
                        "The server warms up its models. Then it reports ready.", 1)).get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            close();
            throw new WarmUpFailedException("interrupted while warming up", e);
        } catch (ExecutionException e) {
            boolean closedMeanwhile = closed.get(); // a warm-up request failed by close() is no model failure
            close();
            throw closedMeanwhile ? closedWhileWarmingUp() : new WarmUpFailedException(
                    "the model failed its warm-up request: " + e.getCause(), e.getCause());
        }
        ready.set(true);
        // close() (the SIGTERM hook) may have run during the warm-up: it marks the server closed before not ready.
        if (closed.get()) {
            ready.set(false);
            throw closedWhileWarmingUp();
        }
        LOG.info("model server ready on port {}", port());
        return this;
    }

    private static WarmUpFailedException closedWhileWarmingUp() {
        return new WarmUpFailedException("the server was closed while warming up", null);
    }

    public int port() {
        return app.port();
    }

    /**
     * {@link #start} did not get its warm-up answers (a model failed, or the server was closed or interrupted meanwhile):
     * the server is closed and will not be ready.
     */
    public static final class WarmUpFailedException extends IllegalStateException {
        WarmUpFailedException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    public boolean isReady() {
        return ready.get();
    }

    private void authenticate(Context ctx) {
        if (bearer == null) {
            return;
        }
        String header = ctx.header("Authorization");
        // The scheme name is case-insensitive (RFC 9110 §11.1); the token is compared in constant time, so the time
        // taken does not tell how much of a guessed token was right.
        boolean bearerScheme = header != null && header.regionMatches(true, 0, BEARER, 0, BEARER.length());
        if (!bearerScheme || !MessageDigest.isEqual(bearer,
                header.substring(BEARER.length()).getBytes(StandardCharsets.UTF_8))) {
            ctx.header("WWW-Authenticate", "Bearer");
            throw new ApiError(401, "missing or wrong bearer token (Authorization: Bearer <token>)");
        }
    }

    private void readiness(Context ctx) {
        int status = ready.get() ? 200 : 503;
        write(ctx, status, Map.of("ready", ready.get(), "device", device.toString(), "answerer", answerer.name()));
    }

    private void answer(Context ctx) {
        AnswerRequest request = validate(parse(ctx, AnswerApi.Request.class));
        OptionalLong budgetMs = timeoutBudget(ctx);
        ctx.future(() -> {
            CompletableFuture<GroundedAnswer> answer = answers.submit(request);
            cancelAfter(budgetMs, List.of(answer));
            return answer.handle((result, error) -> {
                if (error == null) {
                    write(ctx, 200, AnswerApi.Response.of(result, answerer.name()));
                } else {
                    failure(ctx, ANSWER_ROLE, error);
                }
                return null;
            });
        });
    }

    private void summarize(Context ctx) {
        if (summaries == null) {
            throw new ApiError(501, "this server has no summarizer (" + ServerConfig.envName(ServerConfig.SUMMARIZER)
                    + "=" + config.summarizer() + ")");
        }
        List<SummaryRequest> requests = validate(parse(ctx, SummarizeApi.Request.class));
        OptionalLong budgetMs = timeoutBudget(ctx);
        List<CompletableFuture<Summary>> results = requests.stream().map(summaries::submit).toList();
        cancelAfter(budgetMs, results);
        ctx.future(() -> allOrFirstFailure(results).handle((summaries, error) -> {
            if (error == null) {
                write(ctx, 200, new SummarizeApi.Response(summarizer.name(), summaries));
            } else {
                failure(ctx, SUMMARIZE_ROLE, error);
            }
            return null;
        }));
    }

    /**
     * Every result in order, or the first failure at once, with the rest cancelled: when one document of a request is
     * refused (a full queue) or fails, the response is that error whatever the others give, so the others leave the
     * queue instead of being computed for nobody while the client waits.
     */
    private static <T> CompletableFuture<List<T>> allOrFirstFailure(List<CompletableFuture<T>> work) {
        CompletableFuture<List<T>> all = new CompletableFuture<>();
        for (CompletableFuture<T> part : work) {
            part.whenComplete((result, error) -> {
                if (error != null && all.completeExceptionally(error)) {
                    work.forEach(other -> other.cancel(false));
                }
            });
        }
        CompletableFuture.allOf(work.toArray(CompletableFuture[]::new))
                .thenRun(() -> all.complete(work.stream().map(CompletableFuture::join).toList()));
        return all;
    }

    /** The client's {@link #TIMEOUT_HEADER}, when it sent one. */
    private static OptionalLong timeoutBudget(Context ctx) {
        String value = ctx.header(TIMEOUT_HEADER);
        if (value == null) {
            return OptionalLong.empty();
        }
        try {
            long ms = Long.parseLong(value.trim());
            if (ms >= 1) {
                return OptionalLong.of(ms);
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw new ApiError(400, TIMEOUT_HEADER + " must be a whole number of milliseconds >= 1, got '" + value + "'");
    }

    /**
     * Cancels whichever of {@code work} is not done once the client's budget has passed: a queued request then leaves
     * its queue, and one in a running batch is answered 504 at once (its batch still finishes).
     */
    private void cancelAfter(OptionalLong budgetMs, List<? extends CompletableFuture<?>> work) {
        budgetMs.ifPresent(ms -> {
            ScheduledFuture<?> timer = timeouts.schedule(
                    () -> work.forEach(future -> future.cancel(false)), ms, TimeUnit.MILLISECONDS);
            CompletableFuture.allOf(work.toArray(CompletableFuture[]::new))
                    .whenComplete((ok, error) -> timer.cancel(false));
        });
    }

    private void failure(Context ctx, String role, Throwable error) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        if (cause instanceof CancellationException) {
            error(ctx, 504, "the " + role + " model did not answer within the client's " + TIMEOUT_HEADER
                    + "; the server gave up on the request");
        } else if (cause instanceof RejectedExecutionException) {
            ctx.header("Retry-After", RETRY_AFTER_SECONDS);
            boolean stopping = closed.get();
            error(ctx, stopping ? 503 : 429, stopping ? "the server is shutting down"
                    : "too many requests: the " + role + " queue is full (" + config.queueCapacity()
                            + " waiting); retry later");
        } else {
            LOG.error("{} batch failed", role, cause);
            error(ctx, 500, role + " model failed: " + cause);
        }
    }

    /** Reads at most {@code maxBodyBytes}: a larger body is refused before it is parsed, whatever it claims. */
    private <T> T parse(Context ctx, Class<T> type) {
        // A browser posts text/plain or form bodies to another site without a CORS preflight; JSON it does not.
        String contentType = ctx.header("Content-Type");
        if (contentType != null
                && !contentType.split(";", 2)[0].strip().equalsIgnoreCase("application/json")) {
            throw new ApiError(415, "Content-Type must be application/json, got " + contentType);
        }
        long limit = config.maxBodyBytes();
        String tooLarge = "request body is larger than the limit of " + limit + " bytes ("
                + ServerConfig.envName(ServerConfig.MAX_BODY_BYTES) + ")";
        if (ctx.contentLength() > limit) {
            throw new ApiError(413, tooLarge);
        }
        byte[] body;
        try (InputStream in = ctx.req().getInputStream()) {
            body = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 1, limit + 1));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read request body", e);
        }
        if (body.length > limit) {
            throw new ApiError(413, tooLarge);
        }
        try {
            T value = json.readValue(body, type);
            if (value == null) {
                throw new ApiError(400, "request body must be a JSON object");
            }
            return value;
        } catch (JsonProcessingException e) {
            throw new ApiError(400, "malformed request JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private AnswerRequest validate(AnswerApi.Request body) {
        String question = body.question();
        if (question == null || question.isBlank()) {
            throw new ApiError(400, "question is required");
        }
        tooLong("question", question, config.maxQuestionChars(), ServerConfig.MAX_QUESTION_CHARS);
        if (!SentenceSplitter.hasContent(question)) {
            throw new ApiError(400,
                    "question has no content: only spaces, invisible or private-use characters and combining marks");
        }
        if (body.contexts() == null || body.contexts().isEmpty()) {
            throw new ApiError(400, "contexts must hold at least one {id, text}");
        }
        if (body.topK() != null && body.topK() < 1) {
            throw new ApiError(400, "topK must be at least 1, got " + body.topK());
        }
        List<AnswerApi.Context> contexts = body.topK() == null
                ? body.contexts()
                : body.contexts().subList(0, Math.min(body.topK(), body.contexts().size()));
        if (contexts.size() > config.maxContexts()) {
            throw new ApiError(400, contexts.size() + " contexts are more than the limit of " + config.maxContexts()
                    + " (" + ServerConfig.envName(ServerConfig.MAX_CONTEXTS) + ")");
        }
        List<Passage> passages = new ArrayList<>(contexts.size());
        Map<String, Integer> firstWithId = new HashMap<>();
        for (int i = 0; i < contexts.size(); i++) {
            AnswerApi.Context context = contexts.get(i);
            String what = "contexts[" + i + "]";
            if (context == null || context.id() == null || context.id().isBlank() || context.text() == null) {
                throw new ApiError(400, what + " needs an id and a text");
            }
            Integer first = firstWithId.putIfAbsent(context.id(), i);
            if (first != null) {
                // The citation names its context by id alone.
                throw new ApiError(400, what + " has the id '" + context.id() + "' of contexts[" + first
                        + "]; context ids must be unique");
            }
            tooLong(what + " ('" + context.id() + "')", context.text(), config.maxContextChars(),
                    ServerConfig.MAX_CONTEXT_CHARS);
            passages.add(new Passage(context.id(), context.text()));
        }
        return new AnswerRequest(question, passages);
    }

    private List<SummaryRequest> validate(SummarizeApi.Request body) {
        if (body.documents() == null || body.documents().isEmpty()) {
            throw new ApiError(400, "documents must hold at least one {id, text}");
        }
        // A request's documents wait in the queue together: one larger than the queue would be told 429, retry,
        // forever.
        boolean queueLimits = config.queueCapacity() < config.maxDocuments();
        int limit = queueLimits ? config.queueCapacity() : config.maxDocuments();
        if (body.documents().size() > limit) {
            throw new ApiError(400, body.documents().size() + " documents are more than the limit of " + limit + " ("
                    + (queueLimits ? ServerConfig.envName(ServerConfig.QUEUE_CAPACITY)
                            + ": a request's documents wait in the summarize queue together"
                            : ServerConfig.envName(ServerConfig.MAX_DOCUMENTS)) + ")");
        }
        int maxSentences = body.maxSentences() == null ? SummarizeApi.DEFAULT_MAX_SENTENCES : body.maxSentences();
        if (maxSentences < 1) {
            throw new ApiError(400, "maxSentences must be at least 1, got " + maxSentences);
        }
        List<SummaryRequest> requests = new ArrayList<>(body.documents().size());
        for (int i = 0; i < body.documents().size(); i++) {
            SummarizeApi.Document document = body.documents().get(i);
            String what = "documents[" + i + "]";
            if (document == null || document.id() == null || document.id().isBlank() || document.text() == null) {
                throw new ApiError(400, what + " needs an id and a text");
            }
            tooLong(what + " ('" + document.id() + "')", document.text(), config.maxDocumentChars(),
                    ServerConfig.MAX_DOCUMENT_CHARS);
            requests.add(new SummaryRequest(document.id(), document.text(), maxSentences));
        }
        return requests;
    }

    private static void tooLong(String what, String text, int limit, String key) {
        if (text.length() > limit) {
            throw new ApiError(400, what + " has " + text.length() + " characters, more than the limit of " + limit
                    + " (" + ServerConfig.envName(key) + ")");
        }
    }

    private void error(Context ctx, int status, String message) {
        write(ctx, status, Map.of("error", message));
    }

    private void write(Context ctx, int status, Object body) {
        try {
            ctx.status(status).contentType("application/json").result(json.writeValueAsBytes(body));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write response JSON", e);
        }
    }

    /**
     * Graceful: not ready any more, stop accepting, wait for the requests in flight (their batches still run), then
     * close the batchers and the models. Bounded: once {@code shutdownTimeoutMs} has passed, requests still queued are
     * failed, and only the batch running then is waited for (at most {@code shutdownTimeoutMs} more; a model whose
     * batch is still running after that is left open, as closing it would free memory the batch uses). Idempotent.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        ready.set(false);
        long start = System.nanoTime();
        LOG.info("model server shutting down: finishing requests in flight (at most {} ms)", config.shutdownTimeoutMs());
        try {
            app.stop();
        } catch (RuntimeException e) {
            // Jetty has stopped all the same (requests still in flight lose their connections): the models must close.
            LOG.warn("stopping HTTP: {} (requests still in flight after {} ms?)", e.getMessage(),
                    config.shutdownTimeoutMs());
        } finally {
            long timeoutNanos = TimeUnit.MILLISECONDS.toNanos(config.shutdownTimeoutMs());
            closeModels(start + timeoutNanos, timeoutNanos);
            timeouts.shutdownNow(); // every request has ended: nothing is left to cancel
            LOG.info("model server stopped");
        }
    }

    /** A model and the batcher that calls it. */
    private record Served(String role, MicroBatcher<?, ?> batcher, AutoCloseable model) {}

    /**
     * Lets every batcher run its queue until {@code queueDeadline} (a {@link System#nanoTime}), fails what is then
     * still queued in all of them, and only then waits for their running batches, up to {@code batchNanos} for all
     * together. One model after the other, the summarize batcher went on computing its queue for connections already
     * closed while the answer model's last batch was waited for, and each model's last batch added its own wait.
     */
    private void closeModels(long queueDeadline, long batchNanos) {
        List<Served> served = new ArrayList<>(List.of(new Served(ANSWER_ROLE, answers, answerer)));
        if (summaries != null) {
            served.add(new Served(SUMMARIZE_ROLE, summaries, summarizer));
        }
        try {
            for (Served model : served) {
                model.batcher().close(Duration.ofNanos(Math.max(0, queueDeadline - System.nanoTime())), Duration.ZERO);
            }
            long batchDeadline = System.nanoTime() + batchNanos;
            for (Served model : served) {
                if (model.batcher().close(Duration.ZERO,
                        Duration.ofNanos(Math.max(0, batchDeadline - System.nanoTime())))) {
                    closeModel(model);
                } else {
                    LOG.error("the {} model's batch is still running after the shutdown timeout; the model is left "
                            + "open", model.role());
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // a model not closed yet stays open: its batch may be running
        }
    }

    private static void closeModel(Served model) {
        try {
            model.model().close();
        } catch (Exception e) {
            LOG.error("closing the {} model failed", model.role(), e);
        }
    }
}
