package dev.diffrag.pipeline.answer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.diffrag.answer.AnswerRequest;
import dev.diffrag.answer.Answerer;
import dev.diffrag.answer.GroundedAnswer;
import dev.diffrag.connectors.records.AnswerRecord;
import dev.diffrag.connectors.records.Citation;
import dev.diffrag.connectors.records.QuestionRecord;
import dev.diffrag.pipeline.retrieve.RetrievalResult;
import dev.diffrag.pipeline.retrieve.RetrievedPassage;
import dev.diffrag.serving.AnswerApi;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.datastream.AsyncDataStream;
import org.apache.flink.streaming.api.operators.async.AsyncWaitOperatorFactory;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** AnswerQuestions inside Flink's async wait operator (test harness with a manual processing-time clock). */
class AnswerQuestionsTest {

    private static final long TIMEOUT_MS = 1_000;
    private static final String DOCUMENT = "Paris is the capital of France. Madrid is the capital of Spain. "
            + "Rome is the capital of Italy.";

    /** Answer sizes of every batch any answerer of this test saw; static because the factory is serialized. */
    private static final List<Integer> BATCH_SIZES = Collections.synchronizedList(new ArrayList<>());
    private static final CountDownLatch STARTED_SLOW = new CountDownLatch(1);
    private static final CountDownLatch RELEASE_SLOW = new CountDownLatch(1);

    /** Answers with the first passage whole, so the test controls exactly what is cited. */
    private static class FirstPassageAnswerer implements Answerer {
        @Override
        public String name() {
            return "first-passage";
        }

        @Override
        public List<GroundedAnswer> answer(List<AnswerRequest> batch) {
            BATCH_SIZES.add(batch.size());
            return batch.stream()
                    .map(r -> GroundedAnswer.span(r.contexts().get(0), 0, r.contexts().get(0).text().length(), 0.9))
                    .toList();
        }
    }

    private static RetrievalResult retrieval(String questionId, RetrievedPassage... passages) {
        return new RetrievalResult(
                new QuestionRecord("t", questionId, "Which city is the capital of Spain?", null, null),
                List.of(passages), System.currentTimeMillis());
    }

    private static RetrievedPassage chunk(String text, double score) {
        int start = DOCUMENT.indexOf(text);
        return new RetrievedPassage("t/capitals#1/" + start, "capitals", 1, start, start + text.length(), text, score);
    }

    private static OneInputStreamOperatorTestHarness<RetrievalResult, AnswerRecord> harness(
            AnswererFactory factory, AnswerConfig config) throws Exception {
        var operator = new AsyncWaitOperatorFactory<>(
                new AnswerQuestions(factory, config), config.timeoutMs(), config.capacity(),
                AsyncDataStream.OutputMode.UNORDERED);
        var harness = new OneInputStreamOperatorTestHarness<>(
                operator, TypeInformation.of(RetrievalResult.class).createSerializer(new SerializerConfigImpl()));
        harness.open();
        return harness;
    }

    private static List<AnswerRecord> finish(OneInputStreamOperatorTestHarness<RetrievalResult, AnswerRecord> harness)
            throws Exception {
        synchronized (harness.getCheckpointLock()) {
            harness.endInput();
        }
        List<AnswerRecord> answers = harness.extractOutputValues();
        harness.close();
        return answers;
    }

    private static AnswerConfig config(int maxBatchSize, long maxBatchDelayMs) {
        return new AnswerConfig("baseline", 0.3, maxBatchSize, maxBatchDelayMs, TIMEOUT_MS, 16);
    }

    @Test
    void answersWithTheRealBaselineAndCitesTheDocument() throws Exception {
        var harness = harness(AnswererFactory.of(AnswerConfig.baseline()), AnswerConfig.baseline());
        harness.processElement(retrieval("q1",
                chunk("Paris is the capital of France.", 0.5),
                chunk("Madrid is the capital of Spain. Rome is the capital of Italy.", 0.7)), 0);

        AnswerRecord answer = finish(harness).get(0);

        assertThat(answer.abstained()).isFalse();
        assertThat(answer.answer()).isEqualTo("Madrid is the capital of Spain.");
        assertThat(answer.model()).isEqualTo("baseline-sentence");
        Citation citation = answer.citations().get(0);
        assertThat(DOCUMENT.substring(citation.start(), citation.end())).isEqualTo(citation.text()).isEqualTo(answer.answer());
        assertThat(answer.latencyMs()).isNotNegative();
    }

    @Test
    void feedsTheAnswererInBatches() throws Exception {
        BATCH_SIZES.clear();
        var harness = harness(FirstPassageAnswerer::new, config(4, 500));
        for (int i = 0; i < 8; i++) {
            harness.processElement(retrieval("q" + i, chunk("Rome is the capital of Italy.", 1)), 0);
        }

        List<AnswerRecord> answers = finish(harness);

        assertThat(answers).extracting(AnswerRecord::id)
                .containsExactlyInAnyOrder("q0", "q1", "q2", "q3", "q4", "q5", "q6", "q7");
        assertThat(answers).allSatisfy(a -> assertThat(a.answer()).isEqualTo("Rome is the capital of Italy."));
        assertThat(BATCH_SIZES).hasSizeLessThan(8).allSatisfy(size -> assertThat(size).isBetween(1, 4));
    }

    @Test
    void aQuestionWithoutPassagesAbstainsWithoutCallingTheAnswerer() throws Exception {
        BATCH_SIZES.clear();
        var harness = harness(FirstPassageAnswerer::new, config(4, 0));
        harness.processElement(retrieval("q-empty"), 0);

        AnswerRecord answer = finish(harness).get(0);

        assertThat(answer.abstained()).isTrue();
        assertThat(answer.reason()).isEqualTo(AnswerRecords.NO_PASSAGES);
        assertThat(answer.model()).isEqualTo("first-passage");
        assertThat(BATCH_SIZES).isEmpty();
    }

    @Test
    void aTimeoutAbstainsWithItsReasonInsteadOfFailing() throws Exception {
        AnswererFactory slow = () -> new FirstPassageAnswerer() {
            @Override
            public List<GroundedAnswer> answer(List<AnswerRequest> batch) {
                STARTED_SLOW.countDown();
                try {
                    RELEASE_SLOW.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return super.answer(batch);
            }
        };
        BATCH_SIZES.clear();
        var harness = harness(slow, config(1, 0));
        harness.processElement(retrieval("q-slow", chunk("Rome is the capital of Italy.", 1)), 0);
        harness.processElement(retrieval("q-queued", chunk("Paris is the capital of France.", 1)), 0);
        // On a busy machine the batcher may not have taken q-slow yet; a timeout then would cancel it unrun.
        assertThat(STARTED_SLOW.await(10, TimeUnit.SECONDS)).as("q-slow is being answered").isTrue();

        harness.setProcessingTime(TIMEOUT_MS + 1);
        List<AnswerRecord> answers = new ArrayList<>(harness.extractOutputValues());
        RELEASE_SLOW.countDown();
        answers.addAll(finish(harness));

        assertThat(answers).extracting(AnswerRecord::id).containsExactlyInAnyOrder("q-slow", "q-queued");
        assertThat(answers).allSatisfy(answer -> {
            assertThat(answer.abstained()).isTrue();
            assertThat(answer.reason()).isEqualTo(AnswerRecords.TIMEOUT);
            assertThat(answer.retrieved()).hasSize(1);
        });
        assertThat(BATCH_SIZES).as("the question still queued at its timeout is never run").containsExactly(1);
    }

    @Test
    void anAnswererFailureAbstainsWithTheError() throws Exception {
        AnswererFactory broken = () -> new FirstPassageAnswerer() {
            @Override
            public List<GroundedAnswer> answer(List<AnswerRequest> batch) {
                throw new IllegalStateException("CUDA out of memory");
            }
        };
        var harness = harness(broken, config(1, 0));
        harness.processElement(retrieval("q-broken", chunk("Rome is the capital of Italy.", 1)), 0);

        AnswerRecord answer = finish(harness).get(0);

        assertThat(answer.abstained()).isTrue();
        assertThat(answer.reason()).startsWith(AnswerRecords.ANSWERER_ERROR).contains("CUDA out of memory");
    }

    @Test
    @Timeout(30) // before the fix the question never completed: endInput waited for it forever
    void anAnswerCitingAPassageItWasNotGivenAbstainsWithTheErrorAtOnce() throws Exception {
        AnswererFactory confused = () -> new FirstPassageAnswerer() {
            @Override
            public List<GroundedAnswer> answer(List<AnswerRequest> batch) {
                return List.of(new GroundedAnswer("Rome", false, 0.9, new GroundedAnswer.Citation("elsewhere", 0, 4)));
            }
        };
        var harness = harness(confused, config(1, 0));
        harness.processElement(retrieval("q-confused", chunk("Rome is the capital of Italy.", 1)), 0);

        AnswerRecord answer = finish(harness).get(0);

        assertThat(answer.reason()).startsWith(AnswerRecords.ANSWERER_ERROR).contains("'elsewhere', which was not retrieved");
    }

    /** Takes 500 ms per batch; counts its batches and whether it was closed. */
    private static final class SlowAnswerer extends FirstPassageAnswerer {
        static final AtomicInteger BATCHES = new AtomicInteger();
        static final CountDownLatch STARTED = new CountDownLatch(1);
        static final CountDownLatch CLOSED = new CountDownLatch(1);

        @Override
        public List<GroundedAnswer> answer(List<AnswerRequest> batch) {
            BATCHES.incrementAndGet();
            STARTED.countDown();
            try {
                Thread.sleep(500);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return super.answer(batch);
        }

        @Override
        public void close() {
            CLOSED.countDown();
        }
    }

    @Test
    @Timeout(30)
    void closingWithoutFinishingDropsTheQueuedQuestionsAndClosesTheAnswererEvenWhenInterrupted() throws Exception {
        var harness = harness(SlowAnswerer::new, config(1, 0));
        for (int i = 0; i < 8; i++) {
            harness.processElement(retrieval("q" + i, chunk("Rome is the capital of Italy.", 1)), 0);
        }
        assertThat(SlowAnswerer.STARTED.await(10, TimeUnit.SECONDS)).isTrue();

        // A cancelled or failed task closes without finishing (its questions are replayed or restored) and Flink
        // interrupts the task thread while it closes.
        Thread.currentThread().interrupt();
        try {
            harness.close();
        } catch (InterruptedException expected) {
            // the operator may pass the interrupt on; the answerer must be closed all the same
        } finally {
            Thread.interrupted();
        }
        assertThat(SlowAnswerer.CLOSED.await(5, TimeUnit.SECONDS)).as("the answerer (its model) is closed").isTrue();
        Thread.sleep(1_500);
        assertThat(SlowAnswerer.BATCHES.get()).as("questions still queued at close are not answered")
                .isLessThanOrEqualTo(2);
    }

    @Test
    @Timeout(60)
    void aRemoteAnswerersAttemptsEndWithTheQuestionsOwnTimeoutNotAFullBudgetAfterItsBatchStarts() throws Exception {
        // The remote answerer retries a server that is down within a question's budget.
        try (DownModelServer server = new DownModelServer(AnswerApi.PATH)) {
            long timeoutMs = 1_500;
            var config = new AnswerConfig("remote", 0.3, 1, 0, timeoutMs, 4, server.remote());
            var harness = harness(AnswererFactory.of(config), config);
            long submitted = System.nanoTime();
            for (int n = 1; n <= 2; n++) {
                var question = new QuestionRecord("t", "q" + n, "question " + n, null, null);
                harness.processElement(new RetrievalResult(question,
                        List.of(chunk("Rome is the capital of Italy.", 1)), System.currentTimeMillis()), 0);
            }
            // Question 2 waits in the queue while question 1's batch waits for its whole budget.
            Thread.sleep(2 * timeoutMs + 1_000);
            harness.close();

            assertThat(server.attempts()).as("question 1 was tried").isPositive();
            assertThat(server.lateAttemptsMs(submitted + TimeUnit.MILLISECONDS.toNanos(timeoutMs)))
                    .as("attempts after the questions had timed out (ms past it)").isEmpty();
        }
    }

    @Test
    void theFactoryRejectsAnUnknownAnswerer() {
        var config = new AnswerConfig("oracle", 0.3, 1, 0, 1, 1);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> AnswererFactory.of(config))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("oracle");
    }
}
