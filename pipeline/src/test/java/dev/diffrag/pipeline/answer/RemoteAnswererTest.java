package dev.diffrag.pipeline.answer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Device;
import dev.diffrag.answer.AnswerRequest;
import dev.diffrag.answer.Answerer;
import dev.diffrag.answer.BestSentenceAnswerer;
import dev.diffrag.answer.GroundedAnswer;
import dev.diffrag.answer.Passage;
import dev.diffrag.pipeline.PipelineConfig;
import dev.diffrag.pipeline.ingest.ParseQuestions;
import dev.diffrag.serving.MicroBatcher;
import dev.diffrag.serving.ModelServer;
import dev.diffrag.serving.ServerConfig;
import com.sun.net.httpserver.HttpServer;
import dev.diffrag.serving.AnswerApi;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class RemoteAnswererTest {

    private static final List<AnswerRequest> QUESTIONS = List.of(
            new AnswerRequest("What type of planet is Neptune?", List.of(
                    new Passage("p1", "Mars is red. Neptune is an ice giant planet far from the Sun."),
                    new Passage("p2", "The printing press used movable type."))),
            new AnswerRequest("Who introduced movable type printing to Europe?", List.of(
                    new Passage("p3", "Johannes Gutenberg introduced movable type printing to Europe around 1440."))),
            new AnswerRequest("What is the boiling point of mercury?", List.of(
                    new Passage("p4", "Thorin Oakenshield is a character in The Hobbit."))));

    /** Answers every request with its first context's first word and records the batch sizes it saw. */
    private static final class FirstWordAnswerer implements Answerer {
        final List<Integer> batchSizes = Collections.synchronizedList(new ArrayList<>());
        private final long millisPerBatch;

        FirstWordAnswerer() {
            this(0);
        }

        /** Takes {@code millisPerBatch} per batch, like a busy model. */
        FirstWordAnswerer(long millisPerBatch) {
            this.millisPerBatch = millisPerBatch;
        }

        @Override
        public String name() {
            return "first-word-test";
        }

        @Override
        public List<GroundedAnswer> answer(List<AnswerRequest> batch) {
            batchSizes.add(batch.size());
            sleep(millisPerBatch);
            return batch.stream().map(r -> {
                Passage first = r.contexts().get(0);
                int end = first.text().indexOf(' ');
                return GroundedAnswer.span(first, 0, end < 0 ? first.text().length() : end, 1);
            }).toList();
        }
    }

    private final List<ModelServer> servers = new ArrayList<>();

    @AfterEach
    void stop() {
        servers.forEach(ModelServer::close);
    }

    private ModelServer serve(ServerConfig config, Answerer answerer) {
        ModelServer server = new ModelServer(config, Device.cpu(), answerer, null);
        servers.add(server);
        return server.start();
    }

    /** With the pipeline's default budget for an answer. */
    private static RemoteAnswerer remoteAnswerer(RemoteAnswererConfig config) {
        return new RemoteAnswerer(config, AnswerConfig.defaults().timeoutMs());
    }

    private static RemoteAnswererConfig remote(int port, int retries, int maxInFlight) {
        return new RemoteAnswererConfig("http://127.0.0.1:" + port + "/", 5_000, retries, maxInFlight, null);
    }

    @Test
    void answersLikeTheSameModelInProcess() {
        BestSentenceAnswerer model = new BestSentenceAnswerer(BestSentenceAnswerer.DEFAULT_THRESHOLD);
        List<GroundedAnswer> inProcess = model.answer(QUESTIONS);
        ModelServer server = serve(ServerConfig.defaults().withPort(0), model);

        RemoteAnswerer remote = remoteAnswerer(remote(server.port(), 0, 4));
        List<GroundedAnswer> answers = remote.answer(QUESTIONS);

        assertThat(answers).hasSize(3);
        for (int i = 0; i < 3; i++) {
            assertThat(answers.get(i).answer()).isEqualTo(inProcess.get(i).answer());
            assertThat(answers.get(i).abstained()).isEqualTo(inProcess.get(i).abstained());
            assertThat(answers.get(i).citation()).isEqualTo(inProcess.get(i).citation());
            assertThat(answers.get(i).confidence()).isCloseTo(inProcess.get(i).confidence(), within(1e-9));
        }
        assertThat(answers.get(1).answer()).contains("Gutenberg");
        assertThat(answers.get(2).abstained()).isTrue();
        assertThat(remote.name()).isEqualTo(BestSentenceAnswerer.NAME);
    }

    @Test
    void retriesUntilTheServerComesUp() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        RemoteAnswerer remote = remoteAnswerer(remote(port, 6, 4));
        int freePort = port;
        CompletableFuture<ModelServer> late = CompletableFuture.supplyAsync(() -> {
            sleep(400);
            return serve(ServerConfig.defaults().withPort(freePort), new FirstWordAnswerer());
        });

        List<GroundedAnswer> answers = remote.answer(QUESTIONS);

        late.get(30, TimeUnit.SECONDS);
        assertThat(answers).extracting(GroundedAnswer::answer).containsExactly("Mars", "Johannes", "Thorin");
    }

    @Test
    void givesUpAfterItsRetriesWithTheCause() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        RemoteAnswerer remote = remoteAnswerer(remote(port, 2, 4));
        long start = System.nanoTime();

        assertThatThrownBy(() -> remote.answer(QUESTIONS.subList(0, 1)))
                .isInstanceOf(RemoteAnswerer.RemoteAnswerException.class)
                .hasMessageContaining("/v1/answer failed");
        // Two backoffs (at least half of 100 ms and of 200 ms) before the third and last attempt.
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isGreaterThanOrEqualTo(150);
    }

    @Test
    void backoffsDoubleFromHalfOfTheirCeilingAndSpreadClientsApart() {
        for (int attempt = 0; attempt < 8; attempt++) {
            long ceiling = Math.min(2_000, 100L << attempt);
            Set<Long> drawn = new HashSet<>();
            for (int draw = 0; draw < 200; draw++) {
                drawn.add(ModelServerClient.backoffMs(attempt, null));
            }
            assertThat(drawn).allSatisfy(ms -> assertThat(ms).isBetween(ceiling / 2, ceiling)).hasSizeGreaterThan(10);
        }
    }

    @Test
    void clientsToldTheSameRetryAfterComeBackSpreadApartAndNoSooner() {
        // Every request a full queue turned away at once is told "Retry-After: 1".
        HttpHeaders retryAfter = HttpHeaders.of(Map.of("Retry-After", List.of("1")), (name, value) -> true);
        Set<Long> drawn = new HashSet<>();
        for (int draw = 0; draw < 200; draw++) {
            drawn.add(ModelServerClient.backoffMs(0, retryAfter));
        }
        assertThat(drawn).allSatisfy(ms -> assertThat(ms).isBetween(1_000L, 1_500L)).hasSizeGreaterThan(10);
    }

    @Test
    void retriesStopWhenTheCallersBudgetIsSpent() throws Exception {
        try (ServerSocket silent = new ServerSocket(0)) { // accepts connections and never answers
            RemoteAnswerer remote = new RemoteAnswerer(
                    new RemoteAnswererConfig("http://127.0.0.1:" + silent.getLocalPort(), 1_000, 5, 4, null), 2_500);
            long start = System.nanoTime();

            assertThatThrownBy(() -> remote.answer(QUESTIONS.subList(0, 1)))
                    .isInstanceOf(RemoteAnswerer.RemoteAnswerException.class)
                    .hasMessageContaining("timed out");
            // Six 1 s attempts and their backoffs would take over 9 s; the budget allows two and a cut third.
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isBetween(2_000L, 5_000L);
        }
    }

    @Test
    void anAttemptWhoseResponseBodyStopsComingEndsAtItsTimeout() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        HttpServer stalling = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        stalling.createContext(AnswerApi.PATH, exchange -> {
            exchange.getRequestBody().readAllBytes();
            exchange.sendResponseHeaders(200, 100); // headers in time, then one byte of the promised 100
            exchange.getResponseBody().write('{');
            exchange.getResponseBody().flush();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            exchange.close();
        });
        stalling.setExecutor(Executors.newCachedThreadPool());
        stalling.start();
        try {
            RemoteAnswerer remote = new RemoteAnswerer(new RemoteAnswererConfig(
                    "http://127.0.0.1:" + stalling.getAddress().getPort(), 2_000, 0, 1, null), 60_000);

            CompletableFuture<List<GroundedAnswer>> answered =
                    CompletableFuture.supplyAsync(() -> remote.answer(QUESTIONS.subList(0, 1)));

            // HttpRequest's timeout ends with the headers: the attempt, its in-flight slot and its batch waited forever.
            assertThatThrownBy(() -> answered.get(10, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .cause().isInstanceOf(RemoteAnswerer.RemoteAnswerException.class)
                    .hasMessageContaining("no whole response within 2000 ms");
        } finally {
            release.countDown();
            stalling.stop(0);
        }
    }

    @Test
    void aFullServerQueueIsRetriedAfterItsRetryAfter() throws Exception {
        FirstWordAnswerer model = new FirstWordAnswerer(500);
        // One request in the model and one waiting fill this server: of three concurrent ones, at least one gets 429.
        ModelServer server = serve(ServerConfig.defaults().withPort(0).withBatching(1, 0, 1), model);
        // Two retries after 100 and 200 ms would both hit the full queue; waiting Retry-After (1 s) gets through.
        RemoteAnswerer remote = remoteAnswerer(remote(server.port(), 2, 3));

        List<GroundedAnswer> answers = remote.answer(QUESTIONS);

        assertThat(answers).extracting(GroundedAnswer::answer).containsExactly("Mars", "Johannes", "Thorin");
        assertThat(model.batchSizes).hasSize(1 + 3); // warm-up, then each question once
        String metrics = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        assertThat(metrics).containsPattern("diffrag_http_requests_total\\{route=\"/v1/answer\",status=\"429\"} [1-9]");
    }

    @Test
    void anAttemptTheClientGaveUpOnLeavesTheServersQueueInsteadOfBeingComputed() throws Exception {
        List<String> computed = Collections.synchronizedList(new ArrayList<>());
        FirstWordAnswerer firstWord = new FirstWordAnswerer();
        Answerer slowOnHold = new Answerer() {
            @Override
            public String name() {
                return firstWord.name();
            }

            @Override
            public List<GroundedAnswer> answer(List<AnswerRequest> batch) {
                batch.forEach(request -> computed.add(request.question()));
                if (batch.get(0).question().equals("hold?")) {
                    sleep(3_000);
                }
                return firstWord.answer(batch);
            }
        };
        ModelServer server = serve(ServerConfig.defaults().withPort(0).withBatching(1, 0, 64), slowOnHold);
        RemoteAnswerer patient = remoteAnswerer(
                new RemoteAnswererConfig("http://127.0.0.1:" + server.port(), 30_000, 0, 4, null));
        RemoteAnswerer impatient = remoteAnswerer(
                new RemoteAnswererConfig("http://127.0.0.1:" + server.port(), 300, 0, 4, null));
        List<Passage> passages = QUESTIONS.get(0).contexts();

        // "hold?" keeps the model busy for 3 s; the impatient client's question waits behind it and is given up on.
        CompletableFuture<List<GroundedAnswer>> held =
                CompletableFuture.supplyAsync(() -> patient.answer(List.of(new AnswerRequest("hold?", passages))));
        while (!computed.contains("hold?")) {
            sleep(10);
        }
        assertThatThrownBy(() -> impatient.answer(List.of(new AnswerRequest("given up?", passages))))
                .isInstanceOf(RemoteAnswerer.RemoteAnswerException.class)
                .hasMessageContaining("timed out");
        List<GroundedAnswer> next = patient.answer(List.of(new AnswerRequest("next?", passages)));

        assertThat(held.get(30, TimeUnit.SECONDS)).singleElement().extracting(GroundedAnswer::answer).isEqualTo("Mars");
        assertThat(next).singleElement().extracting(GroundedAnswer::answer).isEqualTo("Mars");
        // The queue is first in, first out: had "given up?" still been waiting, it would have run before "next?".
        assertThat(computed.subList(1, computed.size())).as("after the warm-up").containsExactly("hold?", "next?");
    }

    @Test
    void aQuestionThatFailsFailsAloneAndTheRestOfItsBatchIsAnsweredOnce() throws Exception {
        FirstWordAnswerer model = new FirstWordAnswerer();
        ModelServer server = serve(ServerConfig.defaults().withPort(0), model);
        RemoteAnswerer remote = remoteAnswerer(remote(server.port(), 0, 4));
        AnswerRequest blank = new AnswerRequest(" ", QUESTIONS.get(0).contexts()); // the server answers 400
        List<AnswerRequest> batch = List.of(QUESTIONS.get(0), blank, QUESTIONS.get(1));

        // As the job runs it: a batcher in front of the remote answerer.
        try (MicroBatcher<AnswerRequest, GroundedAnswer> batcher =
                new MicroBatcher<>("remote-test", remote::answer, 3, Duration.ofSeconds(10), 8)) {
            List<CompletableFuture<GroundedAnswer>> answers = batch.stream().map(batcher::submit).toList();

            assertThat(answers.get(0).get(30, TimeUnit.SECONDS).answer()).isEqualTo("Mars");
            assertThat(answers.get(2).get(30, TimeUnit.SECONDS).answer()).isEqualTo("Johannes");
            assertThatThrownBy(() -> answers.get(1).get(30, TimeUnit.SECONDS))
                    .hasCauseInstanceOf(RemoteAnswerer.RemoteAnswerException.class)
                    .hasMessageContaining("question is required");
        }
        // warm-up, then the two good questions once: the batch was not sent again question by question.
        assertThat(model.batchSizes.stream().mapToInt(Integer::intValue).sum()).isEqualTo(1 + 2);
    }

    @Test
    void aBatchWhoseQuestionsAllFailIsNotSentAgainQuestionByQuestion() throws Exception {
        AtomicInteger attempts = new AtomicInteger();
        HttpServer unavailable = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        unavailable.createContext(AnswerApi.PATH, exchange -> {
            attempts.incrementAndGet();
            exchange.getRequestBody().readAllBytes();
            exchange.sendResponseHeaders(503, -1);
            exchange.close();
        });
        unavailable.start();
        try {
            RemoteAnswerer remote = remoteAnswerer(remote(unavailable.getAddress().getPort(), 1, 4));
            // As the job runs it: a batcher in front of the remote answerer, the three questions in one batch.
            try (MicroBatcher<AnswerRequest, GroundedAnswer> batcher =
                    new MicroBatcher<>("remote-test", remote::answer, 3, Duration.ofSeconds(10), 8)) {
                List<CompletableFuture<GroundedAnswer>> answers = QUESTIONS.stream().map(batcher::submit).toList();

                for (CompletableFuture<GroundedAnswer> answer : answers) {
                    assertThatThrownBy(() -> answer.get(30, TimeUnit.SECONDS))
                            .hasCauseInstanceOf(RemoteAnswerer.RemoteAnswerException.class)
                            .hasMessageContaining("answered 503");
                }
            }
            // Each question's first attempt and its one retry; no second round of them, question by question.
            assertThat(attempts.get()).isEqualTo(3 * 2);
        } finally {
            unavailable.stop(0);
        }
    }

    @Test
    void anErrorResponseIsQuotedOnlyInPart() throws Exception {
        // e.g. a proxy's or another service's error page: the message becomes the abstention's reason and a log line
        String page = "<html>" + "x".repeat(2_000_000) + "</html>";
        HttpServer proxy = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        proxy.createContext(AnswerApi.PATH, exchange -> {
            exchange.getRequestBody().readAllBytes();
            byte[] body = page.getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(500, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        proxy.start();
        try {
            RemoteAnswerer remote = remoteAnswerer(remote(proxy.getAddress().getPort(), 0, 4));

            assertThatThrownBy(() -> remote.answer(List.of(QUESTIONS.get(0))))
                    .isInstanceOf(RemoteAnswerer.RemoteAnswerException.class)
                    .satisfies(e -> assertThat(e.getMessage().length()).isLessThan(2_000))
                    .hasMessageContaining("answered 500: <html>xxx")
                    .hasMessageContaining("of 2000013 characters");
        } finally {
            proxy.stop(0);
        }
    }

    @Test
    void aRejectedRequestIsNotRetriedAndSaysWhy() {
        FirstWordAnswerer model = new FirstWordAnswerer();
        ModelServer server = serve(ServerConfig.defaults().withPort(0), model);
        RemoteAnswerer remote = remoteAnswerer(remote(server.port(), 3, 4));

        assertThatThrownBy(() -> remote.answer(List.of(new AnswerRequest(" ", QUESTIONS.get(0).contexts()))))
                .isInstanceOf(RemoteAnswerer.RemoteAnswerException.class)
                .hasMessageContaining("answered 400")
                .hasMessageContaining("question is required");
    }

    @Test
    void aServerWithDefaultSettingsTakesAsManyPassagesAsAQuestionMayRetrieve() {
        FirstWordAnswerer model = new FirstWordAnswerer();
        ModelServer server = serve(ServerConfig.defaults().withPort(0), model);
        RemoteAnswerer remote = remoteAnswerer(remote(server.port(), 0, 4));
        List<Passage> passages = new ArrayList<>();
        for (int i = 0; i < ParseQuestions.MAX_TOP_K; i++) {
            passages.add(new Passage("p" + i, "Passage number " + i + "."));
        }

        List<GroundedAnswer> answers = remote.answer(List.of(new AnswerRequest("Which passage?", passages)));

        assertThat(answers).singleElement().extracting(GroundedAnswer::answer).isEqualTo("Passage");
    }

    @Test
    void keepsAtMostMaxInFlightRequestsOpen() {
        FirstWordAnswerer model = new FirstWordAnswerer();
        // The server would batch up to 16 requests, waiting up to 200 ms for them; only the client limits the batch.
        ModelServer server = serve(ServerConfig.defaults().withPort(0).withBatching(16, 200, 64), model);
        RemoteAnswerer remote = remoteAnswerer(remote(server.port(), 0, 2));
        List<AnswerRequest> six = new ArrayList<>(QUESTIONS);
        six.addAll(QUESTIONS);

        List<GroundedAnswer> answers = remote.answer(six);

        assertThat(answers).extracting(GroundedAnswer::answer)
                .containsExactly("Mars", "Johannes", "Thorin", "Mars", "Johannes", "Thorin");
        List<Integer> sizes = new ArrayList<>(model.batchSizes);
        sizes.remove(0); // the warm-up
        assertThat(sizes).allMatch(size -> size <= 2).contains(2);
    }

    @Test
    void theFactoryBuildsItFromTheEnvironmentAndNeedsAUrl() {
        PipelineConfig config = PipelineConfig.fromEnv(Map.of(
                "DIFFRAG_ANSWERER", "remote",
                "DIFFRAG_ANSWER_REMOTE_URL", "http://model-server:8080",
                "DIFFRAG_ANSWER_REMOTE_RETRIES", "5",
                "DIFFRAG_ANSWER_REMOTE_TOKEN", "s3cret"));

        assertThat(config.answer().remote().url()).isEqualTo("http://model-server:8080");
        assertThat(config.answer().remote().retries()).isEqualTo(5);
        assertThat(config.answer().toString()).doesNotContain("s3cret");
        try (Answerer answerer = AnswererFactory.of(config.answer()).create()) {
            assertThat(answerer).isInstanceOf(RemoteAnswerer.class);
        }
        assertThatThrownBy(() -> AnswererFactory.of(PipelineConfig.fromEnv(Map.of("DIFFRAG_ANSWERER", "remote")).answer()))
                .hasMessageContaining("DIFFRAG_ANSWER_REMOTE_URL");
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
