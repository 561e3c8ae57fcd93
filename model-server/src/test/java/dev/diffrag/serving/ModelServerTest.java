package dev.diffrag.serving;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.diffrag.answer.AnswerRequest;
import dev.diffrag.answer.Answerer;
import dev.diffrag.answer.GroundedAnswer;
import dev.diffrag.summarize.Summarizer;
import io.javalin.util.JavalinBindException;
import dev.diffrag.summarize.Summary;
import dev.diffrag.summarize.SummaryRequest;
import java.io.IOException;
import java.lang.ref.WeakReference;
import java.net.ConnectException;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ModelServerTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String NEPTUNE = "Neptune is the eighth planet from the Sun. It is an ice giant.";
    private static final String ANSWERABLE = """
            {"question": "Which planet is an ice giant?", "contexts": [
              {"id": "mars", "text": "Mars is the fourth planet."},
              {"id": "neptune", "text": "%s"}]}""".formatted(NEPTUNE);

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final List<ModelServer> servers = new ArrayList<>();

    @AfterEach
    void stopServers() {
        servers.forEach(ModelServer::close);
    }

    private ModelServer start(ServerConfig config, KeywordAnswerer answerer, LeadSentencesSummarizer summarizer) {
        ModelServer server = new ModelServer(config.withPort(0), Device.cpu(), answerer, summarizer);
        servers.add(server);
        return server.start();
    }

    private ModelServer start(KeywordAnswerer answerer) {
        return start(ServerConfig.defaults(), answerer, new LeadSentencesSummarizer());
    }

    private HttpRequest.Builder request(ModelServer server, String path) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .timeout(Duration.ofSeconds(30));
    }

    private HttpResponse<String> post(ModelServer server, String path, String body) throws Exception {
        return postAsync(server, path, body).get(30, TimeUnit.SECONDS);
    }

    private CompletableFuture<HttpResponse<String>> postAsync(ModelServer server, String path, String body) {
        return http.sendAsync(request(server, path).POST(HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", "application/json").build(), HttpResponse.BodyHandlers.ofString());
    }

    private CompletableFuture<HttpResponse<String>> postWithBudget(
            ModelServer server, String path, String body, long budgetMs) {
        return http.sendAsync(request(server, path).POST(HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", "application/json").header(ModelServer.TIMEOUT_HEADER, Long.toString(budgetMs))
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(ModelServer server, String path) throws Exception {
        return http.send(request(server, path).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode json(HttpResponse<String> response) throws IOException {
        return JSON.readTree(response.body());
    }

    @Test
    void aBodyThatIsNotDeclaredJsonIsRefused() throws Exception {
        // text/plain and form bodies were parsed as JSON (200): a page on another site could post them from a
        // browser without a CORS preflight to a server without a token.
        ModelServer server = start(new KeywordAnswerer());

        for (String type : List.of("text/plain", "application/x-www-form-urlencoded", "multipart/form-data")) {
            HttpResponse<String> response = http.send(request(server, AnswerApi.PATH)
                    .POST(HttpRequest.BodyPublishers.ofString(ANSWERABLE)).header("Content-Type", type).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).as(type).isEqualTo(415);
            assertThat(json(response).get("error").asText()).contains("Content-Type must be application/json");
        }
        HttpResponse<String> withCharset = http.send(request(server, AnswerApi.PATH)
                .POST(HttpRequest.BodyPublishers.ofString(ANSWERABLE))
                .header("Content-Type", "Application/JSON; charset=utf-8").build(), HttpResponse.BodyHandlers.ofString());
        assertThat(withCharset.statusCode()).isEqualTo(200);
    }

    @Test
    void answersWithACitationIntoTheContextText() throws Exception {
        ModelServer server = start(new KeywordAnswerer());

        HttpResponse<String> response = post(server, AnswerApi.PATH, ANSWERABLE);

        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode answer = json(response);
        assertThat(answer.get("abstained").asBoolean()).isFalse();
        assertThat(answer.get("model").asText()).isEqualTo("keyword-test");
        assertThat(answer.get("confidence").asDouble()).isEqualTo(0.9);
        JsonNode citation = answer.get("citation");
        assertThat(citation.get("contextId").asText()).isEqualTo("neptune");
        assertThat(NEPTUNE.substring(citation.get("start").asInt(), citation.get("end").asInt()))
                .isEqualTo(answer.get("answer").asText())
                .isEqualTo("giant");
    }

    @Test
    void topKReadsOnlyTheFirstContextsAndAnAbstentionHasNullAnswerAndCitation() throws Exception {
        ModelServer server = start(new KeywordAnswerer());

        HttpResponse<String> response =
                post(server, AnswerApi.PATH, ANSWERABLE.replace("\"contexts\"", "\"topK\": 1, \"contexts\""));

        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode answer = json(response);
        assertThat(answer.get("abstained").asBoolean()).isTrue();
        assertThat(answer.get("answer").isNull()).isTrue();
        assertThat(answer.get("citation").isNull()).isTrue();
    }

    @Test
    void aTopKAboveTheNumberOfContextsReadsThemAll() throws Exception {
        ModelServer server = start(new KeywordAnswerer());

        HttpResponse<String> response =
                post(server, AnswerApi.PATH, ANSWERABLE.replace("\"contexts\"", "\"topK\": 1000, \"contexts\""));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(json(response).get("abstained").asBoolean()).isFalse();
    }

    @Test
    void badRequestsGet400WithAMessageThatSaysWhatIsWrong() throws Exception {
        ServerConfig config = new ServerConfig(0, "test", 0.3, "test", 16, 5, 64, 1 << 20, 100, 2, 50, 2, 60, null,
                5_000);
        ModelServer server = start(config, new KeywordAnswerer(), new LeadSentencesSummarizer());
        Map<String, String> cases = new HashMap<>();
        cases.put("{\"question\": ", "malformed request JSON");
        cases.put("[1, 2]", "malformed request JSON");
        cases.put("{\"question\": \"q\", \"contexts\": [], \"extra\": 1}", "malformed request JSON");
        // Strict types: no number read as a string, no fraction cut to a whole number, no field given twice.
        cases.put("{\"question\": 5, \"contexts\": [{\"id\": \"a\", \"text\": \"t\"}]}", "malformed request JSON");
        cases.put("{\"question\": \"q\", \"topK\": 1.9, \"contexts\": [{\"id\": \"a\", \"text\": \"t\"}]}",
                "malformed request JSON");
        cases.put("{\"question\": \"q\", \"question\": \"r\", \"contexts\": [{\"id\": \"a\", \"text\": \"t\"}]}",
                "Duplicate field 'question'");
        cases.put("{\"contexts\": [{\"id\": \"a\", \"text\": \"t\"}]}", "question is required");
        // Nothing to embed or read: the baseline answerer failed it with 500.
        cases.put("{\"question\": \"\\u00a0\\u200b\\u0301\", \"contexts\": [{\"id\": \"a\", \"text\": \"t\"}]}",
                "question has no content");
        cases.put("{\"question\": \"" + "x".repeat(101) + "\", \"contexts\": [{\"id\": \"a\", \"text\": \"t\"}]}",
                "question has 101 characters, more than the limit of 100 (DIFFRAG_SERVER_MAX_QUESTION_CHARS)");
        cases.put("{\"question\": \"q\", \"contexts\": []}", "contexts must hold at least one");
        cases.put("{\"question\": \"q\", \"contexts\": [{\"id\": \"a\"}]}", "contexts[0] needs an id and a text");
        cases.put("{\"question\": \"q\", \"contexts\": [{\"id\": \"a\", \"text\": \"" + "y".repeat(51) + "\"}]}",
                "contexts[0] ('a') has 51 characters, more than the limit of 50 (DIFFRAG_SERVER_MAX_CONTEXT_CHARS)");
        cases.put("{\"question\": \"q\", \"contexts\": [{\"id\": \"a\", \"text\": \"t\"}, {\"id\": \"b\", \"text\": \"t\"},"
                + " {\"id\": \"c\", \"text\": \"t\"}]}", "3 contexts are more than the limit of 2");
        cases.put("{\"question\": \"q\", \"contexts\": [{\"id\": \"a\", \"text\": \"t\"},"
                + " {\"id\": \"a\", \"text\": \"u\"}]}",
                "contexts[1] has the id 'a' of contexts[0]; context ids must be unique");
        cases.put("{\"question\": \"q\", \"topK\": 0, \"contexts\": [{\"id\": \"a\", \"text\": \"t\"}]}",
                "topK must be at least 1");
        for (Map.Entry<String, String> c : cases.entrySet()) {
            HttpResponse<String> response = post(server, AnswerApi.PATH, c.getKey());
            assertThat(response.statusCode()).as(c.getKey()).isEqualTo(400);
            assertThat(json(response).get("error").asText()).as(c.getKey()).contains(c.getValue());
        }
        for (String budget : List.of("soon", "0", "-5", "1.5")) {
            HttpResponse<String> response = http.send(request(server, AnswerApi.PATH)
                    .POST(HttpRequest.BodyPublishers.ofString("{\"question\": \"q\", \"contexts\": [{\"id\": \"a\","
                            + " \"text\": \"t\"}]}")).header(ModelServer.TIMEOUT_HEADER, budget)
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).as(budget).isEqualTo(400);
            assertThat(json(response).get("error").asText()).as(budget)
                    .contains("X-Request-Timeout-Ms must be a whole number of milliseconds >= 1, got '" + budget + "'");
        }
        HttpResponse<String> longDocument = post(server, SummarizeApi.PATH,
                "{\"documents\": [{\"id\": \"d\", \"text\": \"" + "z".repeat(61) + "\"}]}");
        assertThat(longDocument.statusCode()).isEqualTo(400);
        assertThat(json(longDocument).get("error").asText()).contains("documents[0] ('d') has 61 characters");
        // A model never saw any of them: only the warm-up batch ran.
        assertThat(metricValue(get(server, "/metrics").body(), "diffrag_batch_size_count", "role=\"answer\""))
                .isEqualTo(1);
    }

    @Test
    void badSummarizeRequestsGet400AndTextsAtTheLimitsAreAccepted() throws Exception {
        ServerConfig config = new ServerConfig(0, "test", 0.3, "test", 16, 5, 64, 1 << 20, 100, 2, 50, 2, 60, null,
                5_000);
        ModelServer server = start(config, new KeywordAnswerer(), new LeadSentencesSummarizer());
        String doc = "{\"id\": \"d%d\", \"text\": \"t\"}";
        Map<String, String> cases = Map.of(
                "{\"documents\": []}", "documents must hold at least one",
                "{\"documents\": [" + doc.formatted(1) + ", " + doc.formatted(2) + ", " + doc.formatted(3) + "]}",
                "3 documents are more than the limit of 2",
                "{\"documents\": [" + doc.formatted(1) + "], \"maxSentences\": 0}", "maxSentences must be at least 1");
        for (Map.Entry<String, String> c : cases.entrySet()) {
            HttpResponse<String> response = post(server, SummarizeApi.PATH, c.getKey());
            assertThat(response.statusCode()).as(c.getKey()).isEqualTo(400);
            assertThat(json(response).get("error").asText()).as(c.getKey()).contains(c.getValue());
        }
        // The limits are inclusive: exactly maxQuestionChars, maxContextChars, maxDocuments and maxDocumentChars.
        assertThat(post(server, AnswerApi.PATH, "{\"question\": \"" + "x".repeat(100) + "\", \"contexts\": "
                + "[{\"id\": \"a\", \"text\": \"" + "y".repeat(50) + "\"}]}").statusCode()).isEqualTo(200);
        assertThat(post(server, SummarizeApi.PATH, "{\"documents\": [" + doc.formatted(1) + ", {\"id\": \"d\", "
                + "\"text\": \"" + "z".repeat(60) + "\"}]}").statusCode()).isEqualTo(200);
    }

    @Test
    void anUnknownRouteGets404WithAJsonErrorNamingTheApi() throws Exception {
        ModelServer server = start(new KeywordAnswerer());

        HttpResponse<String> response = get(server, "/v1/nope");

        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(json(response).get("error").asText()).contains("no route GET /v1/nope").contains(AnswerApi.PATH);
    }

    @Test
    void aServedPathUnderAnotherMethodGets405NamingTheMethodToUse() throws Exception {
        ModelServer server = start(new KeywordAnswerer());

        HttpResponse<String> getAnswer = get(server, AnswerApi.PATH);
        HttpResponse<String> postHealth = post(server, "/healthz/", "{}");

        assertThat(getAnswer.statusCode()).isEqualTo(405);
        assertThat(getAnswer.headers().firstValue("Allow")).hasValue("POST");
        assertThat(json(getAnswer).get("error").asText()).isEqualTo("GET " + AnswerApi.PATH + " is not served; use POST");
        assertThat(postHealth.statusCode()).isEqualTo(405);
        assertThat(postHealth.headers().firstValue("Allow")).hasValue("GET");
    }

    @Test
    void aBodyOverTheLimitGets413() throws Exception {
        ServerConfig small = new ServerConfig(0, "test", 0.3, "none", 16, 5, 64, 1_000, 2_000, 32, 8_000, 16, 100_000,
                null, 5_000);
        ModelServer server = start(small, new KeywordAnswerer(), null);
        String big = "{\"question\": \"q\", \"contexts\": [{\"id\": \"a\", \"text\": \"" + "w".repeat(5_000) + "\"}]}";

        HttpResponse<String> response = post(server, AnswerApi.PATH, big);

        assertThat(response.statusCode()).isEqualTo(413);
        assertThat(json(response).get("error").asText())
                .contains("larger than the limit of 1000 bytes (DIFFRAG_SERVER_MAX_BODY_BYTES)");
        assertThat(post(server, AnswerApi.PATH, ANSWERABLE).statusCode()).isEqualTo(200);
        String prefix = "{\"question\": \"q\", \"contexts\": [{\"id\": \"a\", \"text\": \"";
        String exact = prefix + "w".repeat(1_000 - prefix.length() - 4) + "\"}]}";
        assertThat(post(server, AnswerApi.PATH, exact).statusCode()).as("a body of exactly the limit").isEqualTo(200);
    }

    @Test
    void withATokenTheApiNeedsTheBearerHeaderButProbesAndMetricsDoNot() throws Exception {
        ModelServer server =
                start(ServerConfig.defaults().withToken("s3cret"), new KeywordAnswerer(), new LeadSentencesSummarizer());
        HttpRequest.Builder answer = request(server, AnswerApi.PATH).POST(HttpRequest.BodyPublishers.ofString(ANSWERABLE));

        HttpResponse<String> none = http.send(answer.copy().build(), HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> wrong = http.send(answer.copy().header("Authorization", "Bearer s3cre").build(),
                HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> right = http.send(answer.copy().header("Authorization", "Bearer s3cret").build(),
                HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> lowerCaseScheme = http.send(answer.copy().header("Authorization", "bearer s3cret").build(),
                HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> tokenOnly = http.send(answer.copy().header("Authorization", "s3cret").build(),
                HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> summarize = post(server, SummarizeApi.PATH, "{\"documents\": [{\"id\": \"d\", \"text\": \"t\"}]}");

        assertThat(none.statusCode()).isEqualTo(401);
        assertThat(none.headers().firstValue("WWW-Authenticate")).contains("Bearer");
        assertThat(wrong.statusCode()).isEqualTo(401);
        assertThat(right.statusCode()).isEqualTo(200);
        assertThat(lowerCaseScheme.statusCode()).as("the scheme name is case-insensitive").isEqualTo(200);
        assertThat(tokenOnly.statusCode()).isEqualTo(401);
        assertThat(summarize.statusCode()).isEqualTo(401);
        assertThat(get(server, "/healthz").statusCode()).isEqualTo(200);
        assertThat(get(server, "/readyz").statusCode()).isEqualTo(200);
        assertThat(get(server, "/metrics").statusCode()).isEqualTo(200);
    }

    @Test
    void aFullQueueGets429WithRetryAfterAndEveryAcceptedRequestIsStillAnswered() throws Exception {
        KeywordAnswerer answerer = new KeywordAnswerer(1);
        ModelServer server = startHeld(ServerConfig.defaults().withBatching(1, 0, 2), answerer);

        // One request held in the model, two waiting in the queue of capacity 2 ...
        List<CompletableFuture<HttpResponse<String>>> accepted = new ArrayList<>();
        accepted.add(postAsync(server, AnswerApi.PATH, ANSWERABLE));
        assertThat(answerer.gate.batchesStarted.tryAcquire(10, TimeUnit.SECONDS)).isTrue();
        accepted.add(postAsync(server, AnswerApi.PATH, ANSWERABLE));
        accepted.add(postAsync(server, AnswerApi.PATH, ANSWERABLE));
        awaitQueued(server, ModelServer.ANSWER_ROLE, 2);

        // ... so the next one is turned away at once.
        HttpResponse<String> rejected = post(server, AnswerApi.PATH, ANSWERABLE);
        assertThat(rejected.statusCode()).isEqualTo(429);
        assertThat(rejected.headers().firstValue("Retry-After")).contains("1");
        assertThat(json(rejected).get("error").asText()).contains("queue is full");

        answerer.gate.open();
        for (CompletableFuture<HttpResponse<String>> response : accepted) {
            assertThat(response.get(30, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
        }
        String metrics = get(server, "/metrics").body();
        assertThat(metricValue(metrics, "diffrag_http_requests_total", "route=\"/v1/answer\",status=\"429\""))
                .isEqualTo(1);
        assertThat(metricValue(metrics, "diffrag_http_requests_total", "route=\"/v1/answer\",status=\"200\""))
                .isEqualTo(3);
    }

    @Test
    void aRequestWhoseClientStoppedWaitingLeavesTheQueueWithA504AndIsNeverComputed() throws Exception {
        KeywordAnswerer answerer = new KeywordAnswerer(1);
        ModelServer server = startHeld(ServerConfig.defaults().withBatching(1, 0, 64), answerer);

        // One request held in the model; behind it one whose client waits 2 s and one whose client waits 30 s. (With
        // 300 ms a loaded machine could time the first out before the second was queued, and awaitQueued failed.)
        CompletableFuture<HttpResponse<String>> held = postAsync(server, AnswerApi.PATH, ANSWERABLE);
        assertThat(answerer.gate.batchesStarted.tryAcquire(10, TimeUnit.SECONDS)).isTrue();
        CompletableFuture<HttpResponse<String>> impatient = postWithBudget(server, AnswerApi.PATH, ANSWERABLE, 2_000);
        CompletableFuture<HttpResponse<String>> patient = postWithBudget(server, AnswerApi.PATH, ANSWERABLE, 30_000);
        awaitQueued(server, ModelServer.ANSWER_ROLE, 2);

        HttpResponse<String> timedOut = impatient.get(10, TimeUnit.SECONDS);
        assertThat(timedOut.statusCode()).isEqualTo(504);
        assertThat(json(timedOut).get("error").asText())
                .contains("did not answer within the client's X-Request-Timeout-Ms");
        assertThat(metricValue(get(server, "/metrics").body(), "diffrag_queue_depth", "role=\"answer\""))
                .as("the timed-out request left the queue").isEqualTo(1);

        answerer.gate.open();
        assertThat(held.get(30, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
        HttpResponse<String> answered = patient.get(30, TimeUnit.SECONDS);
        assertThat(answered.statusCode()).isEqualTo(200);
        assertThat(json(answered).get("answer").asText()).isEqualTo("giant");
        // warm-up, held, patient: the model never saw the request nobody waited for.
        assertThat(answerer.batchSizes).containsExactly(1, 1, 1);
    }

    @Test
    void aRequestAnsweredWithinALongClientBudgetIsNotHeldForTheRestOfIt() throws Exception {
        List<WeakReference<GroundedAnswer>> answers = Collections.synchronizedList(new ArrayList<>());
        KeywordAnswerer keyword = new KeywordAnswerer();
        Answerer recording = new Answerer() {
            @Override
            public String name() {
                return keyword.name();
            }

            @Override
            public List<GroundedAnswer> answer(List<AnswerRequest> batch) {
                List<GroundedAnswer> results = keyword.answer(batch);
                results.forEach(result -> answers.add(new WeakReference<>(result)));
                return results;
            }
        };
        ModelServer server = new ModelServer(ServerConfig.defaults().withPort(0), Device.cpu(), recording, null);
        servers.add(server);
        server.start();

        // A client that will wait an hour, answered at once.
        for (int i = 0; i < 3; i++) {
            assertThat(postWithBudget(server, AnswerApi.PATH, ANSWERABLE, 3_600_000).get(30, TimeUnit.SECONDS)
                    .statusCode()).isEqualTo(200);
        }

        // Nothing of a finished request is left to the timer that would have cancelled it: not for an hour.
        for (int gc = 0; gc < 20 && answers.stream().anyMatch(answer -> answer.get() != null); gc++) {
            System.gc();
            Thread.sleep(50);
        }
        assertThat(answers).hasSize(1 + 3).allSatisfy(answer -> assertThat(answer.get()).isNull());
    }

    @Test
    void summariesNotDoneWithinTheClientsBudgetGet504() throws Exception {
        LeadSentencesSummarizer summarizer = new LeadSentencesSummarizer(1);
        ModelServer server = start(ServerConfig.defaults(), new KeywordAnswerer(), summarizer);
        try {
            HttpResponse<String> response = postWithBudget(server, SummarizeApi.PATH,
                    "{\"documents\": [{\"id\": \"d\", \"text\": \"" + NEPTUNE + "\"}]}", 300)
                    .get(10, TimeUnit.SECONDS);
            assertThat(response.statusCode()).isEqualTo(504);
            assertThat(json(response).get("error").asText()).contains("summarize model did not answer");
        } finally {
            summarizer.gate.open();
        }
    }

    @Test
    void aDocumentTurnedAwayByAFullQueueTakesItsWholeRequestOutOfTheQueueWith429() throws Exception {
        LeadSentencesSummarizer summarizer = new LeadSentencesSummarizer(1);
        ModelServer server = start(ServerConfig.defaults().withBatching(1, 0, 2), new KeywordAnswerer(), summarizer);
        assertThat(summarizer.gate.batchesStarted.tryAcquire(10, TimeUnit.SECONDS)).isTrue(); // the warm-up's

        // One document held in the model and one queued, so the queue (capacity 2) has room for one of the next
        // request's two ...
        CompletableFuture<HttpResponse<String>> held =
                postAsync(server, SummarizeApi.PATH, "{\"documents\": [{\"id\": \"held\", \"text\": \"One.\"}]}");
        assertThat(summarizer.gate.batchesStarted.tryAcquire(10, TimeUnit.SECONDS)).isTrue();
        CompletableFuture<HttpResponse<String>> queued =
                postAsync(server, SummarizeApi.PATH, "{\"documents\": [{\"id\": \"queued\", \"text\": \"Q.\"}]}");
        awaitQueued(server, ModelServer.SUMMARIZE_ROLE, 1);
        HttpResponse<String> rejected = post(server, SummarizeApi.PATH,
                "{\"documents\": [{\"id\": \"a\", \"text\": \"A.\"}, {\"id\": \"b\", \"text\": \"B.\"}]}");

        // ... and the 429 comes at once, while the model is still held, with the accepted document taken out of the
        // queue: summarizing it would be work for a response that is an error anyway.
        assertThat(rejected.statusCode()).isEqualTo(429);
        assertThat(rejected.headers().firstValue("Retry-After")).contains("1");
        assertThat(json(rejected).get("error").asText()).contains("summarize queue is full");
        assertThat(metricValue(get(server, "/metrics").body(), "diffrag_queue_depth", "role=\"summarize\""))
                .isEqualTo(1);

        summarizer.gate.open();
        assertThat(held.get(30, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
        assertThat(queued.get(30, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
        assertThat(post(server, SummarizeApi.PATH, "{\"documents\": [{\"id\": \"later\", \"text\": \"Two.\"}]}")
                .statusCode()).isEqualTo(200);
        assertThat(summarizer.summarized).containsExactly("warm-up", "held", "queued", "later");
    }

    @Test
    void aRequestWithMoreDocumentsThanTheQueueHoldsIsRefusedWith400NotToldToRetry() throws Exception {
        ModelServer server = start(ServerConfig.defaults().withBatching(1, 0, 2), new KeywordAnswerer(),
                new LeadSentencesSummarizer(Integer.MAX_VALUE));

        // Under the document limit (16), but three can never wait in a queue of two: 429 would mean "retry" forever.
        HttpResponse<String> refused = post(server, SummarizeApi.PATH, """
                {"documents": [{"id": "a", "text": "A."}, {"id": "b", "text": "B."}, {"id": "c", "text": "C."}]}""");

        assertThat(refused.statusCode()).isEqualTo(400);
        assertThat(refused.headers().firstValue("Retry-After")).isEmpty();
        assertThat(json(refused).get("error").asText())
                .isEqualTo("3 documents are more than the limit of 2 (DIFFRAG_SERVER_QUEUE_CAPACITY: a request's"
                        + " documents wait in the summarize queue together)");
    }

    @Test
    void concurrentRequestsAreAnsweredInBatchesLargerThanOne() throws Exception {
        KeywordAnswerer answerer = new KeywordAnswerer();
        ModelServer server = start(ServerConfig.defaults().withBatching(8, 500, 64), answerer, null);

        List<CompletableFuture<HttpResponse<String>>> responses = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            responses.add(postAsync(server, AnswerApi.PATH, ANSWERABLE));
        }
        for (CompletableFuture<HttpResponse<String>> response : responses) {
            HttpResponse<String> r = response.get(30, TimeUnit.SECONDS);
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(json(r).get("answer").asText()).isEqualTo("giant");
        }

        String metrics = get(server, "/metrics").body();
        double batches = metricValue(metrics, "diffrag_batch_size_count", "role=\"answer\"") - 1; // minus warm-up
        double batched = metricValue(metrics, "diffrag_batch_size_sum", "role=\"answer\"") - 1;
        assertThat(batched).isEqualTo(16);
        assertThat(batched / batches).as("mean batch size").isGreaterThan(1);
        assertThat(answerer.batchSizes).allMatch(size -> size <= 8);
    }

    @Test
    void shutdownFinishesTheRequestsInFlightThenRefusesConnections() throws Exception {
        KeywordAnswerer answerer = new KeywordAnswerer(1);
        ModelServer server = startHeld(ServerConfig.defaults().withBatching(2, 0, 64), answerer);
        int port = server.port();

        List<CompletableFuture<HttpResponse<String>>> inFlight = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            inFlight.add(postAsync(server, AnswerApi.PATH, ANSWERABLE));
        }
        assertThat(answerer.gate.batchesStarted.tryAcquire(10, TimeUnit.SECONDS)).isTrue();
        awaitQueued(server, ModelServer.ANSWER_ROLE, 3);
        CompletableFuture<Void> closing = CompletableFuture.runAsync(server::close);
        Thread.sleep(300); // close() is now waiting for the requests in flight
        assertThat(closing).isNotDone();
        assertThat(server.isReady()).isFalse();

        answerer.gate.open();
        closing.get(30, TimeUnit.SECONDS);
        for (CompletableFuture<HttpResponse<String>> response : inFlight) {
            assertThat(response.get(5, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
        }
        assertThat(answerer.closed).isTrue();
        assertThatThrownBy(() -> http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/healthz"))
                .build(), HttpResponse.BodyHandlers.ofString())).isInstanceOf(IOException.class);
    }

    @Test
    void aShutdownPastItsTimeoutFailsTheQueuedRequestsAndClosesTheModelAfterTheRunningBatch() throws Exception {
        KeywordAnswerer answerer = new KeywordAnswerer(1);
        ModelServer server = startHeld(shutdownTimeout(1_000), answerer);
        for (int i = 0; i < 4; i++) {
            postAsync(server, AnswerApi.PATH, ANSWERABLE);
        }
        assertThat(answerer.gate.batchesStarted.tryAcquire(10, TimeUnit.SECONDS)).isTrue();
        awaitQueued(server, ModelServer.ANSWER_ROLE, 3);

        CompletableFuture<Void> closing = CompletableFuture.runAsync(server::close);
        // Past the timeout, the batch still held: close() waits for it (up to 1 s more). Midway, so that a loaded
        // machine is not mistaken for either edge.
        Thread.sleep(1_500);
        assertThat(closing).isNotDone();
        answerer.gate.open();

        closing.get(10, TimeUnit.SECONDS); // used to throw Javalin's TimeoutException, leaving the model open
        assertThat(answerer.closed).isTrue();
        assertThat(answerer.batchSizes).as("warm-up and the held batch; the queued three were failed")
                .containsExactly(1, 1);
    }

    @Test
    void aShutdownPastItsTimeoutFailsTheQueuedSummariesWhileTheAnswerBatchStillRuns() throws Exception {
        KeywordAnswerer answerer = new KeywordAnswerer(1);
        LeadSentencesSummarizer summarizer = new LeadSentencesSummarizer(1);
        ModelServer server = start(shutdownTimeout(500), answerer, summarizer);
        try {
            answerer.gate.batchesStarted.acquire(); // the warm-ups'
            summarizer.gate.batchesStarted.acquire();
            postAsync(server, AnswerApi.PATH, ANSWERABLE);
            assertThat(answerer.gate.batchesStarted.tryAcquire(10, TimeUnit.SECONDS)).isTrue();
            postAsync(server, SummarizeApi.PATH, "{\"documents\": [{\"id\": \"held\", \"text\": \"One.\"}]}");
            assertThat(summarizer.gate.batchesStarted.tryAcquire(10, TimeUnit.SECONDS)).isTrue();
            postAsync(server, SummarizeApi.PATH, "{\"documents\": [{\"id\": \"queued\", \"text\": \"Two.\"}]}");
            awaitQueued(server, ModelServer.SUMMARIZE_ROLE, 1);

            Thread closing = new Thread(server::close, "closing");
            closing.start();
            awaitWaitingForABatch(closing); // past the timeout, with both batches still held
            summarizer.gate.open();
            // The held summary ends while the answer batch still runs: its batcher must not go on to the queued one.
            Thread summarizeWorker = summarizer.caller;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (summarizeWorker.isAlive() && !summarizer.summarized.contains("queued")) {
                assertThat(System.nanoTime()).as("the summarize batcher ends or goes on").isLessThan(deadline);
                Thread.sleep(10);
            }
            assertThat(summarizer.summarized).as("the document queued at the timeout is failed, not summarized")
                    .containsExactly("warm-up", "held");
            answerer.gate.open();
            closing.join(TimeUnit.SECONDS.toMillis(10));
            assertThat(closing.isAlive()).isFalse();
        } finally {
            answerer.gate.open();
            summarizer.gate.open();
        }
    }

    /** Waits until {@code closing} waits for a batcher's running batch (a join inside {@code MicroBatcher.close}). */
    private static void awaitWaitingForABatch(Thread closing) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!waitsForABatch(closing.getStackTrace())) {
            assertThat(System.nanoTime()).as("close() waits for a running batch").isLessThan(deadline);
            Thread.sleep(10);
        }
    }

    private static boolean waitsForABatch(StackTraceElement[] stack) {
        boolean joining = false;
        for (StackTraceElement frame : stack) {
            joining |= frame.getClassName().equals(Thread.class.getName()) && frame.getMethodName().equals("join");
            if (joining && frame.getClassName().equals(MicroBatcher.class.getName())) {
                return true;
            }
        }
        return false;
    }

    @Test
    void aModelWhoseBatchOutlastsTheShutdownIsLeftOpenAndCloseReturns() throws Exception {
        KeywordAnswerer answerer = new KeywordAnswerer(1);
        ModelServer server = startHeld(shutdownTimeout(200), answerer);
        try {
            postAsync(server, AnswerApi.PATH, ANSWERABLE);
            assertThat(answerer.gate.batchesStarted.tryAcquire(10, TimeUnit.SECONDS)).isTrue();

            CompletableFuture.runAsync(server::close).get(10, TimeUnit.SECONDS);

            assertThat(answerer.closed).as("closing it would free memory the running batch uses").isFalse();
        } finally {
            answerer.gate.open();
        }
    }

    private static ServerConfig shutdownTimeout(long ms) {
        return new ServerConfig(0, "test", 0.3, "none", 1, 0, 64, 1 << 20, 2_000, 100, 8_000, 16, 100_000, null, ms);
    }

    @Test
    void summarizesEveryDocumentWithSentenceOffsets() throws Exception {
        ModelServer server = start(new KeywordAnswerer());
        String first = "One. Two. Three. Four.";

        HttpResponse<String> response = post(server, SummarizeApi.PATH, """
                {"documents": [{"id": "a", "text": "%s"}, {"id": "b", "text": "%s"}], "maxSentences": 2}"""
                .formatted(first, NEPTUNE));

        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode body = json(response);
        assertThat(body.get("model").asText()).isEqualTo("lead-test");
        JsonNode summaries = body.get("summaries");
        assertThat(summaries).hasSize(2);
        assertThat(summaries.get(0).get("id").asText()).isEqualTo("a");
        assertThat(summaries.get(1).get("id").asText()).isEqualTo("b");
        JsonNode sentences = summaries.get(0).get("sentences");
        assertThat(sentences).hasSize(2);
        for (JsonNode sentence : sentences) {
            assertThat(first.substring(sentence.get("start").asInt(), sentence.get("end").asInt()))
                    .isEqualTo(sentence.get("text").asText());
        }
        assertThat(sentences.get(1).get("text").asText()).isEqualTo("Two.");
    }

    /** Summarizes like {@link LeadSentencesSummarizer}, but throws on a batch with a text containing "poison". */
    private static final class PoisonedSummarizer implements Summarizer {
        private final LeadSentencesSummarizer lead = new LeadSentencesSummarizer();
        final AtomicInteger calls = new AtomicInteger();
        final AtomicInteger failures = new AtomicInteger();

        @Override
        public String name() {
            return "poisoned";
        }

        @Override
        public List<Summary> summarize(List<SummaryRequest> batch) {
            calls.incrementAndGet();
            if (batch.stream().anyMatch(request -> request.text().contains("poison"))) {
                failures.incrementAndGet();
                throw new IllegalArgumentException("poison");
            }
            return lead.summarize(batch);
        }
    }

    private ModelServer startPoisoned(PoisonedSummarizer poisoned) {
        ModelServer server = new ModelServer(ServerConfig.defaults().withPort(0), Device.cpu(), new KeywordAnswerer(),
                poisoned);
        servers.add(server);
        return server.start();
    }

    @Test
    void aModelFailureGets500NamingItsCauseAndLaterRequestsAreServed() throws Exception {
        ModelServer server = startPoisoned(new PoisonedSummarizer());

        HttpResponse<String> failed = post(server, SummarizeApi.PATH,
                "{\"documents\": [{\"id\": \"a\", \"text\": \"Fine.\"}, {\"id\": \"b\", \"text\": \"poison\"}]}");

        assertThat(failed.statusCode()).isEqualTo(500);
        // The model's own exception, not the future's CompletionException around it.
        assertThat(json(failed).get("error").asText())
                .isEqualTo("summarize model failed: java.lang.IllegalArgumentException: poison");
        assertThat(post(server, SummarizeApi.PATH, "{\"documents\": [{\"id\": \"a\", \"text\": \"Fine.\"}]}")
                .statusCode()).isEqualTo(200);
    }

    @Test
    void failedModelCallsAreInTheBatchMetricsAndCountedAsFailures() throws Exception {
        PoisonedSummarizer poisoned = new PoisonedSummarizer();
        ModelServer server = startPoisoned(poisoned);

        post(server, SummarizeApi.PATH, "{\"documents\": [{\"id\": \"a\", \"text\": \"Fine.\"}, "
                + "{\"id\": \"b\", \"text\": \"poison\"}, {\"id\": \"c\", \"text\": \"Also fine.\"}]}");
        post(server, SummarizeApi.PATH, "{\"documents\": [{\"id\": \"d\", \"text\": \"poison\"}]}");

        String metrics = get(server, "/metrics").body();
        assertThat(poisoned.failures.get()).isPositive();
        assertThat(metricValue(metrics, "diffrag_batch_size_count", "role=\"summarize\""))
                .as("every model call, failed or not").isEqualTo(poisoned.calls.get());
        assertThat(metricValue(metrics, "diffrag_batch_duration_seconds_count", "role=\"summarize\""))
                .isEqualTo(poisoned.calls.get());
        assertThat(metricValue(metrics, "diffrag_batch_failures_total", "role=\"summarize\""))
                .isEqualTo(poisoned.failures.get());
    }

    @Test
    void aPathWithATrailingSlashIsCountedUnderItsRoute() throws Exception {
        ModelServer server = start(new KeywordAnswerer());

        assertThat(post(server, AnswerApi.PATH + "/", ANSWERABLE).statusCode()).isEqualTo(200);

        Map<String, Double> samples = parsePrometheusText(get(server, "/metrics").body());
        assertThat(samples).containsEntry("diffrag_http_requests_total{route=\"/v1/answer\",status=\"200\"}", 1.0);
        assertThat(samples.keySet()).noneMatch(name -> name.contains("route=\"other\""));
    }

    @Test
    void withoutASummarizerSummarizeAnswers501() throws Exception {
        ModelServer server = start(ServerConfig.defaults(), new KeywordAnswerer(), null);

        HttpResponse<String> response = post(server, SummarizeApi.PATH, "{\"documents\": [{\"id\": \"d\", \"text\": \"t\"}]}");

        assertThat(response.statusCode()).isEqualTo(501);
        assertThat(json(response).get("error").asText()).contains("no summarizer");
    }

    @Test
    void probesAndMetricsInPrometheusTextFormat() throws Exception {
        ModelServer server = start(new KeywordAnswerer());
        post(server, AnswerApi.PATH, ANSWERABLE);
        post(server, AnswerApi.PATH, "{}");

        assertThat(get(server, "/healthz").body()).isEqualTo("ok");
        HttpResponse<String> ready = get(server, "/readyz");
        assertThat(ready.statusCode()).isEqualTo(200);
        assertThat(json(ready).get("device").asText()).isEqualTo("cpu()");

        HttpResponse<String> response = get(server, "/metrics");
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("text/plain; version=0.0.4"));
        Map<String, Double> samples = parsePrometheusText(response.body());
        assertThat(samples).containsEntry("diffrag_http_requests_total{route=\"/v1/answer\",status=\"200\"}", 1.0);
        assertThat(samples).containsEntry("diffrag_http_requests_total{route=\"/v1/answer\",status=\"400\"}", 1.0);
        assertThat(samples).containsEntry(
                "diffrag_device_info{answerer=\"keyword-test\",device=\"cpu()\",summarizer=\"lead-test\"}", 1.0);
        assertThat(samples).containsEntry("diffrag_queue_depth{role=\"answer\"}", 0.0);
        assertThat(samples).containsEntry("diffrag_queue_depth{role=\"summarize\"}", 0.0);
        assertThat(samples).containsKey(
                "diffrag_http_request_duration_seconds_bucket{route=\"/v1/answer\",le=\"+Inf\"}");
        assertThat(samples).containsKey("diffrag_batch_size_bucket{role=\"answer\",le=\"1.0\"}");
        assertThat(samples.keySet()).noneMatch(name -> name.startsWith("diffrag_gpu_memory")); // CPU only
    }

    @Test
    void configurationFromEnvironmentVariables() {
        ServerConfig config = ServerConfig.fromEnv(Map.of(
                "DIFFRAG_SERVER_PORT", "9000",
                "DIFFRAG_SERVER_MAX_BATCH_SIZE", "4",
                "DIFFRAG_SERVER_TOKEN", "t0ken",
                "UNRELATED", "x"));

        assertThat(config.port()).isEqualTo(9000);
        assertThat(config.maxBatchSize()).isEqualTo(4);
        assertThat(config.token()).isEqualTo("t0ken");
        assertThat(config.toString()).doesNotContain("t0ken");
        assertThat(config.queueCapacity()).isEqualTo(ServerConfig.defaults().queueCapacity());
        assertThatThrownBy(() -> ServerConfig.fromEnv(Map.of("DIFFRAG_SERVER_QUEUE_CAPACITY", "lots")))
                .hasMessageContaining("DIFFRAG_SERVER_QUEUE_CAPACITY must be a whole number");
        assertThatThrownBy(() -> ServerConfig.fromEnv(Map.of("DIFFRAG_SERVER_MAX_BATCH_SIZE", "0")))
                .hasMessageContaining("must be positive");
    }

    @Test
    void unknownModelNamesAreRefusedWithTheVariableAndTheKnownNames() {
        ServerConfig unknownAnswerer = new ServerConfig(0, "oracle", 0.3, "none", 16, 5, 64, 1_000, 2_000, 32, 8_000,
                16, 100_000, null, 5_000);
        ServerConfig unknownSummarizer = new ServerConfig(0, "baseline", 0.3, "pegasus", 16, 5, 64, 1_000, 2_000, 32,
                8_000, 16, 100_000, null, 5_000);

        assertThatThrownBy(() -> ServedModels.answerer(unknownAnswerer))
                .hasMessageContaining("unknown answerer 'oracle' (DIFFRAG_SERVER_ANSWERER; known: diff-reader, diff-reader:NAME, diff-reader:DIR, baseline)");
        assertThatThrownBy(() -> ServedModels.summarizer(unknownSummarizer))
                .hasMessageContaining("unknown summarizer 'pegasus'")
                .hasMessageContaining("or none (DIFFRAG_SERVER_SUMMARIZER)");
        assertThat(ServedModels.summarizer(ServerConfig.defaults())).isNull();
        ServerConfig lead = new ServerConfig(0, "baseline", 0.3, "lead-2", 16, 5, 64, 1_000, 2_000, 32, 8_000, 16,
                100_000, null, 5_000);
        try (Summarizer summarizer = ServedModels.summarizer(lead)) {
            assertThat(summarizer.name()).isEqualTo("lead-2");
        }
    }

    @Test
    void aServerWhosePortIsTakenClosesItsModels() throws Exception {
        try (ServerSocket taken = new ServerSocket(0)) {
            KeywordAnswerer answerer = new KeywordAnswerer();
            ModelServer server = new ModelServer(
                    ServerConfig.defaults().withPort(taken.getLocalPort()), Device.cpu(), answerer, null);

            assertThatThrownBy(server::start).isInstanceOf(JavalinBindException.class);
            // Its batcher thread and model would otherwise live on in a process that embeds the server.
            assertThat(answerer.closed).isTrue();
        }
    }

    @Test
    void aModelThatFailsItsWarmUpStopsTheServerSoTheProcessCanEnd() throws Exception {
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        ModelServer server =
                new ModelServer(ServerConfig.defaults().withPort(port), Device.cpu(), new BrokenAnswerer(), null);

        assertThatThrownBy(server::start).hasMessageContaining("failed its warm-up").hasRootCauseMessage("no weights");
        assertThat(server.isReady()).isFalse();
        assertThatThrownBy(() -> new Socket("127.0.0.1", port).close()).isInstanceOf(ConnectException.class);
    }

    @Test
    void aServerClosedWhileWarmingUpIsNeverReady() throws Exception {
        KeywordAnswerer answerer = new KeywordAnswerer(0);
        LeadSentencesSummarizer summarizer = new LeadSentencesSummarizer();
        ModelServer server = new ModelServer(ServerConfig.defaults().withPort(0), Device.cpu(), answerer, summarizer);
        servers.add(server);
        CompletableFuture<ModelServer> starting = CompletableFuture.supplyAsync(() -> server.start("127.0.0.1"));
        assertThat(answerer.gate.batchesStarted.tryAcquire(10, TimeUnit.SECONDS)).isTrue(); // the warm-up, held
        int port = server.port();

        // The SIGTERM hook closes the server during its warm-up; once HTTP is down, close() has begun.
        CompletableFuture<Void> closing = CompletableFuture.runAsync(server::close);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (connects(port)) {
            assertThat(System.nanoTime()).as("HTTP stopped").isLessThan(deadline);
            Thread.sleep(10);
        }
        answerer.gate.open();

        assertThatThrownBy(() -> starting.get(10, TimeUnit.SECONDS)).cause()
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("closed while warming up");
        closing.get(10, TimeUnit.SECONDS);
        assertThat(server.isReady()).isFalse();
    }

    private static boolean connects(int port) {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Starts a server on an answerer that lets only the warm-up batch through; the test opens it later. */
    private ModelServer startHeld(ServerConfig config, KeywordAnswerer answerer) throws Exception {
        ModelServer server = start(config, answerer, null);
        answerer.gate.batchesStarted.acquire(); // the warm-up's
        return server;
    }

    private void awaitQueued(ModelServer server, String role, int depth) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (metricValue(get(server, "/metrics").body(), "diffrag_queue_depth", "role=\"" + role + "\"") < depth) {
            assertThat(System.nanoTime()).as("queue depth %d reached in time", depth).isLessThan(deadline);
            Thread.sleep(10);
        }
    }

    private static double metricValue(String text, String name, String labels) {
        Double value = parsePrometheusText(text).get(name + "{" + labels + "}");
        assertThat(value).as(name + "{" + labels + "} in\n" + text).isNotNull();
        return value;
    }

    private static final Pattern SAMPLE =
            Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*(?:\\{(?:[a-zA-Z_][a-zA-Z0-9_]*=\"(?:[^\"\\\\]|\\\\.)*\",?)*})?)"
                    + " (-?[0-9.eE+-]+|NaN|[+-]Inf)( -?[0-9]+)?");

    /** Parses text format 0.0.4 strictly: every line is a HELP/TYPE comment or a sample; fails on anything else. */
    static Map<String, Double> parsePrometheusText(String text) {
        Map<String, Double> samples = new HashMap<>();
        for (String line : text.split("\n")) {
            if (line.startsWith("# HELP ") || line.startsWith("# TYPE ") || line.isEmpty()) {
                continue;
            }
            Matcher m = SAMPLE.matcher(line);
            assertThat(m.matches()).as("Prometheus sample line: " + line).isTrue();
            samples.put(m.group(1), Double.parseDouble(m.group(2).replace("Inf", "Infinity")));
        }
        return samples;
    }
}
