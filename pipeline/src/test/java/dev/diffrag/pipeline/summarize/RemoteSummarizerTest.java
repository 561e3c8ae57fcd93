package dev.diffrag.pipeline.summarize;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import dev.diffrag.answer.AnswerRequest;
import dev.diffrag.answer.Answerer;
import dev.diffrag.answer.GroundedAnswer;
import dev.diffrag.pipeline.PipelineConfig;
import dev.diffrag.pipeline.answer.RemoteAnswererConfig;
import dev.diffrag.serving.ModelServer;
import dev.diffrag.serving.ServerConfig;
import dev.diffrag.summarize.LeadSummarizer;
import dev.diffrag.summarize.Summarizer;
import dev.diffrag.summarize.Summary;
import dev.diffrag.summarize.SummaryRequest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class RemoteSummarizerTest {

    private static final String NEPTUNE = "Neptune is the eighth planet.  It is an ice giant! Its moon Triton orbits "
            + "backwards. Voyager 2 flew past in 1989.";
    private static final String PRESS = "Gutenberg built a press around 1440. It used movable type.\nBooks got cheap.";
    private static final String MOON = "The Moon is Earth's only natural satellite. It is the fifth largest moon. "
            + "Tides follow it.";

    /** The server needs an answerer; these tests never ask it. */
    private static final class NoAnswerer implements Answerer {
        @Override
        public String name() {
            return "none";
        }

        @Override
        public List<GroundedAnswer> answer(List<AnswerRequest> batch) {
            return batch.stream().map(r -> GroundedAnswer.abstain(0)).toList();
        }
    }

    /** LEAD-3 that takes {@code millisPerBatch} per batch, like a busy model, and records the batch sizes it saw. */
    private static final class SlowLead implements Summarizer {
        final List<Integer> batchSizes = Collections.synchronizedList(new ArrayList<>());
        private final LeadSummarizer lead = new LeadSummarizer(3);
        private final long millisPerBatch;

        SlowLead(long millisPerBatch) {
            this.millisPerBatch = millisPerBatch;
        }

        @Override
        public String name() {
            return lead.name();
        }

        @Override
        public List<Summary> summarize(List<SummaryRequest> batch) {
            batchSizes.add(batch.size());
            try {
                Thread.sleep(millisPerBatch);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return lead.summarize(batch);
        }
    }

    private final List<ModelServer> servers = new ArrayList<>();

    @AfterEach
    void stop() {
        servers.forEach(ModelServer::close);
    }

    private ModelServer serve(ServerConfig config, Summarizer summarizer) {
        ModelServer server = new ModelServer(config, Device.cpu(), new NoAnswerer(), summarizer);
        servers.add(server);
        return server.start("127.0.0.1");
    }

    private static RemoteSummarizer remote(int port, int retries, int maxInFlight) {
        return new RemoteSummarizer(
                new RemoteAnswererConfig("http://127.0.0.1:" + port, 5_000, retries, maxInFlight, null),
                SummaryConfig.DEFAULT_TIMEOUT_MS);
    }

    @Test
    void summarizesLikeTheSameModelInProcessWithOffsetsIntoEachDocument() {
        LeadSummarizer lead = new LeadSummarizer(3);
        // One request per document, answered back in batch order.
        List<SummaryRequest> batch = List.of(
                new SummaryRequest("neptune", NEPTUNE, 2),
                new SummaryRequest("press", PRESS, 3),
                new SummaryRequest("moon", MOON, 2));
        ModelServer server = serve(ServerConfig.defaults().withPort(0), lead);
        RemoteSummarizer remote = remote(server.port(), 0, 4);

        List<Summary> summaries = remote.summarize(batch);

        assertThat(summaries).isEqualTo(lead.summarize(batch));
        assertThat(summaries).extracting(Summary::id).containsExactly("neptune", "press", "moon");
        assertThat(summaries).extracting(s -> s.sentences().size()).containsExactly(2, 3, 2);
        for (int i = 0; i < batch.size(); i++) {
            for (Summary.Sentence sentence : summaries.get(i).sentences()) {
                assertThat(batch.get(i).text().substring(sentence.start(), sentence.end())).isEqualTo(sentence.text());
            }
        }
        assertThat(summaries.get(0).sentences().get(1).text()).isEqualTo("It is an ice giant!");
        assertThat(remote.name()).isEqualTo("lead-3");
    }

    @Test
    void aBatchLargerThanTheServersBodyLimitIsSummarizedDocumentByDocument() {
        LeadSummarizer lead = new LeadSummarizer(3);
        ServerConfig smallBodies = ServerConfig.fromEnv(Map.of(
                "DIFFRAG_SERVER_PORT", "0", "DIFFRAG_SERVER_MAX_BODY_BYTES", String.valueOf(NEPTUNE.length() * 3)));
        ModelServer server = serve(smallBodies, lead);
        List<SummaryRequest> batch = List.of(
                new SummaryRequest("a", NEPTUNE, 1), new SummaryRequest("b", NEPTUNE, 1),
                new SummaryRequest("c", NEPTUNE, 1), new SummaryRequest("d", NEPTUNE, 1));

        List<Summary> summaries = remote(server.port(), 0, 4).summarize(batch);

        assertThat(summaries).extracting(Summary::id).containsExactly("a", "b", "c", "d");
    }

    @Test
    void aFullServerQueueIsRetriedAfterItsRetryAfter() throws Exception {
        SlowLead model = new SlowLead(500);
        // One request in the model and one waiting fill this server: of three concurrent ones, at least one gets 429.
        ModelServer server = serve(ServerConfig.defaults().withPort(0).withBatching(1, 0, 1), model);
        // Two retries after 100 and 200 ms would both hit the full queue; waiting Retry-After (1 s) gets through.
        RemoteSummarizer remote = remote(server.port(), 2, 3);
        // Three documents: three concurrent requests.
        List<SummaryRequest> batch = List.of(
                new SummaryRequest("neptune", NEPTUNE, 1),
                new SummaryRequest("press", PRESS, 2),
                new SummaryRequest("moon", MOON, 3));

        List<Summary> summaries = remote.summarize(batch);

        assertThat(summaries).extracting(s -> s.sentences().size()).containsExactly(1, 2, 3);
        assertThat(model.batchSizes).hasSize(1 + 3); // warm-up, then each document once
        String metrics = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        assertThat(metrics)
                .containsPattern("diffrag_http_requests_total\\{route=\"/v1/summarize\",status=\"429\"} [1-9]");
    }

    @Test
    void aFailingServerModelSurfacesWithTheServersReasonAndIsNotRetried() {
        List<Integer> calls = Collections.synchronizedList(new ArrayList<>());
        Summarizer failing = new Summarizer() {
            @Override
            public String name() {
                return "failing";
            }

            @Override
            public List<Summary> summarize(List<SummaryRequest> batch) {
                calls.add(batch.size());
                if (batch.get(0).id().equals("warm-up")) {
                    return new LeadSummarizer(1).summarize(batch);
                }
                throw new IllegalStateException("salience model ran out of memory");
            }
        };
        ModelServer server = serve(ServerConfig.defaults().withPort(0), failing);
        RemoteSummarizer remote = remote(server.port(), 3, 4);

        assertThatThrownBy(() -> remote.summarize(List.of(new SummaryRequest("moon", MOON, 2))))
                .isInstanceOf(RemoteSummarizer.RemoteSummaryException.class)
                .hasMessageContaining("/v1/summarize answered 500")
                .hasMessageContaining("salience model ran out of memory");
        assertThat(calls).hasSize(1 + 1); // warm-up, then the one attempt: a 500 is not retried
    }

    @Test
    void aDocumentOverTheServersCharacterLimitFailsWithTheLimitItsVariableAndNoRetry() {
        // The job accepts documents up to diffrag.max-document-chars (1,000,000); the server's own limit is lower.
        ServerConfig smallDocuments = ServerConfig.fromEnv(Map.of(
                "DIFFRAG_SERVER_PORT", "0", "DIFFRAG_SERVER_MAX_DOCUMENT_CHARS", String.valueOf(MOON.length() - 1)));
        ModelServer server = serve(smallDocuments, new LeadSummarizer(3));

        assertThatThrownBy(() -> remote(server.port(), 3, 4).summarize(List.of(new SummaryRequest("moon", MOON, 2))))
                .isInstanceOf(RemoteSummarizer.RemoteSummaryException.class)
                .hasMessageContaining("answered 400")
                .hasMessageContaining("DIFFRAG_SERVER_MAX_DOCUMENT_CHARS");
    }

    @Test
    void aServerWithoutSummarizerSaysSo() {
        ModelServer server = serve(ServerConfig.defaults().withPort(0), null);

        assertThatThrownBy(() -> remote(server.port(), 3, 4).summarize(List.of(new SummaryRequest("moon", MOON, 2))))
                .isInstanceOf(RemoteSummarizer.RemoteSummaryException.class)
                .hasMessageContaining("answered 501")
                .hasMessageContaining("no summarizer");
    }

    @Test
    void theRemoteSummarizerIsSelectedByConfigurationAndNeedsAUrl() {
        PipelineConfig config = PipelineConfig.fromEnv(Map.of(
                "DIFFRAG_SUMMARIZER", "remote",
                "DIFFRAG_ANSWER_REMOTE_URL", "http://model-server:8080/",
                "DIFFRAG_ANSWER_REMOTE_MAX_IN_FLIGHT", "3"));

        assertThat(config.summary().remote().url()).isEqualTo("http://model-server:8080");
        assertThat(config.summary().remote().maxInFlight()).isEqualTo(3);
        try (Summarizer summarizer = config.summary().newSummarizer(0)) {
            assertThat(summarizer).isInstanceOf(RemoteSummarizer.class);
        }
        try (Summarizer summarizer = new SummaryConfig("lead-2", 2, 0, 60_000, 5, 0, 1_000).newSummarizer(0)) {
            assertThat(summarizer).isInstanceOf(LeadSummarizer.class);
        }
        assertThatThrownBy(() -> PipelineConfig.fromEnv(Map.of("DIFFRAG_SUMMARIZER", "remote")))
                .hasMessageContaining("DIFFRAG_ANSWER_REMOTE_URL");
    }
}
