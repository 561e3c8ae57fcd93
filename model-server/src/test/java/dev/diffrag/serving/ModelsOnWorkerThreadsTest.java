package dev.diffrag.serving;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import dev.diffrag.answer.AnswerRequest;
import dev.diffrag.answer.Answerer;
import dev.diffrag.answer.GroundedAnswer;
import dev.diffrag.answer.Passage;
import dev.diffrag.reader.DiffReaderAnswerer;
import dev.diffrag.summarize.Summarizer;
import dev.diffrag.summarize.Summarizers;
import dev.diffrag.summarize.Summary;
import dev.diffrag.summarize.SummaryRequest;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The shipped Diff models load and run on threads other than the one that started the engine, as they do in Flink
 * tasks, the micro-batcher and HTTP handlers (PyTorch's autograd switch is per thread; see {@code Autograd}).
 */
class ModelsOnWorkerThreadsTest {

    private static ExecutorService worker;

    @BeforeAll
    static void startEngineHereAndAWorkerThere() {
        Engine.getInstance();
        worker = Executors.newSingleThreadExecutor();
    }

    @AfterAll
    static void stopWorker() throws InterruptedException {
        worker.shutdown();
        assertThat(worker.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void theReaderLoadsOnOneWorkerAndAnswersOnAnother() throws Exception {
        Answerer reader = CompletableFuture.supplyAsync(DiffReaderAnswerer::shippedDefault, worker).get();
        try (reader) {
            Passage passage = new Passage("p", "The Eiffel Tower was completed in 1889 for the World's Fair in Paris.");
            GroundedAnswer answer = CompletableFuture.supplyAsync(() -> reader.answer(List.of(
                    new AnswerRequest("When was the Eiffel Tower completed?", List.of(passage)))).get(0)).get();

            assertThat(answer.confidence()).isBetween(0.0, 1.0);
        }
    }

    @Test
    void theDiffSummarizerLoadsAndSummarizesOnAWorker() throws Exception {
        String text = "The council approved the new bridge on Monday. Work starts in spring. "
                + "The old bridge will close for two months. Residents asked for a ferry in the meantime.";
        List<Summary> summaries = CompletableFuture.supplyAsync(() -> {
            try (Summarizer summarizer = Summarizers.named("diff-v1", 0)) {
                return summarizer.summarize(List.of(new SummaryRequest("d", text, 2)));
            }
        }, worker).get();

        assertThat(summaries.get(0).sentences()).hasSize(2);
    }
}
