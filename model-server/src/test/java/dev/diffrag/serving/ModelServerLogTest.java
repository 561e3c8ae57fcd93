package dev.diffrag.serving;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import dev.diffrag.summarize.Summarizer;
import dev.diffrag.summarize.Summary;
import dev.diffrag.summarize.SummaryRequest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.config.Property;
import org.junit.jupiter.api.Test;

/** What the server's batchers log, read from a log4j appender on {@link MicroBatcher}'s logger. */
class ModelServerLogTest {

    /** Fails on every batch of more than one request, as a batch too large for the device's memory would. */
    private static final class SinglesOnlySummarizer implements Summarizer {
        private final LeadSentencesSummarizer lead = new LeadSentencesSummarizer();

        @Override
        public String name() {
            return "singles-only";
        }

        @Override
        public List<Summary> summarize(List<SummaryRequest> batch) {
            if (batch.size() > 1) {
                throw new IllegalStateException("out of memory for a batch of " + batch.size());
            }
            return lead.summarize(batch);
        }
    }

    @Test
    void aFailedBatchWhoseRequestsThenSucceedAloneIsLoggedWithItsCause() throws Exception {
        List<String> warnings = new CopyOnWriteArrayList<>();
        LoggerContext context = (LoggerContext) LogManager.getContext(false);
        Configuration configuration = context.getConfiguration();
        AbstractAppender capture = new AbstractAppender("capture-micro-batcher", null, null, true, Property.EMPTY_ARRAY) {
            @Override
            public void append(LogEvent event) {
                warnings.add(event.getLevel() + " " + event.getMessage().getFormattedMessage() + " "
                        + event.getThrown());
            }
        };
        capture.start();
        LoggerConfig logger = new LoggerConfig(MicroBatcher.class.getName(), Level.WARN, false);
        logger.addAppender(capture, Level.WARN, null);
        configuration.addLogger(MicroBatcher.class.getName(), logger);
        context.updateLoggers();
        // Batches of two: both documents of the request are in one, which runs once both are queued (the warm-up
        // requests, alone, wait the 1 s delay).
        ModelServer server = new ModelServer(ServerConfig.defaults().withPort(0).withBatching(2, 1_000, 256),
                Device.cpu(), new KeywordAnswerer(), new SinglesOnlySummarizer());
        try {
            server.start();
            HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + server.port() + SummarizeApi.PATH))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"documents\": [{\"id\": \"a\", \"text\": \"One.\"}, "
                            + "{\"id\": \"b\", \"text\": \"Two.\"}]}"))
                    .build(), HttpResponse.BodyHandlers.ofString());

            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            // Only diffrag_batch_failures_total said that it failed; nothing said why.
            assertThat(warnings).singleElement().asString()
                    .startsWith("WARN micro-batcher summarize-batcher: a batch of 2 failed")
                    .contains("out of memory for a batch of 2");
        } finally {
            server.close();
            configuration.removeLogger(MicroBatcher.class.getName());
            context.updateLoggers();
            capture.stop();
        }
    }
}
