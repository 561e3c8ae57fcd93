package dev.diffrag.pipeline.retrieve;

import static dev.diffrag.pipeline.retrieve.Partials.hit;
import static dev.diffrag.pipeline.retrieve.Partials.partial;
import static dev.diffrag.pipeline.retrieve.Partials.question;
import static org.assertj.core.api.Assertions.assertThat;

import dev.diffrag.pipeline.index.EmbeddedQuestion;
import dev.diffrag.pipeline.index.PartialRetrieval;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.jobgraph.OperatorID;
import org.apache.flink.runtime.metrics.groups.InternalOperatorMetricGroup;
import org.apache.flink.runtime.metrics.groups.TaskMetricGroup;
import org.apache.flink.runtime.metrics.groups.UnregisteredMetricGroups;
import org.apache.flink.runtime.metrics.util.InterceptingOperatorMetricGroup;
import org.apache.flink.runtime.operators.testutils.MockEnvironmentBuilder;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class MergeRetrievalsTest {

    private static final long TIMEOUT = 1_000;
    private static final long REMEMBER = 10_000;

    private KeyedOneInputStreamOperatorTestHarness<String, PartialRetrieval, RetrievalResult> harness;

    @BeforeEach
    void open() throws Exception {
        harness = ProcessFunctionTestHarnesses.forKeyedProcessFunction(
                new MergeRetrievals(TIMEOUT, REMEMBER), p -> p.question().key(), Types.STRING);
        harness.setProcessingTime(0);
    }

    @AfterEach
    void close() throws Exception {
        harness.close();
    }

    @Test
    void waitsForEverySubtaskThenEmitsOnce() throws Exception {
        EmbeddedQuestion q = question("q1", 2);
        harness.processElement(partial(q, 0, 3, List.of(hit("a", 2)), List.of()), 0);
        harness.processElement(partial(q, 2, 3, List.of(hit("b", 1)), List.of()), 0);
        assertThat(harness.extractOutputValues()).isEmpty();

        harness.processElement(partial(q, 1, 3, List.of(), List.of(hit("c", 0.5))), 0);

        List<RetrievalResult> out = harness.extractOutputValues();
        assertThat(out).singleElement().satisfies(result -> {
            assertThat(result.question()).isEqualTo(q.question());
            assertThat(result.questionReceivedMs()).isEqualTo(Partials.RECEIVED_MS);
            assertThat(result.passages()).extracting(RetrievedPassage::docId).containsExactly("a", "c");
        });
        harness.setProcessingTime(TIMEOUT * 2);
        assertThat(harness.extractOutputValues()).hasSize(1);
    }

    @Test
    void theTimeoutRunsFromTheFirstAnswerNotTheLatest() throws Exception {
        EmbeddedQuestion q = question("q1", 5);
        harness.processElement(partial(q, 0, 3, List.of(hit("a", 2)), List.of()), 0);
        harness.setProcessingTime(TIMEOUT / 2);
        harness.processElement(partial(q, 1, 3, List.of(hit("b", 1)), List.of()), 0);

        harness.setProcessingTime(TIMEOUT);

        assertThat(harness.extractOutputValues()).singleElement()
                .satisfies(r -> assertThat(r.passages()).extracting(RetrievedPassage::docId).containsExactly("a", "b"));
    }

    @Test
    void aSubtaskThatKeepsAnsweringOtherQuestionsIsBehindNotGoneAndIsWaitedFor() throws Exception {
        EmbeddedQuestion q = question("q1", 5);
        harness.processElement(partial(q, 0, 2, List.of(hit("a", 2)), List.of()), 0);
        harness.setProcessingTime(TIMEOUT * 8 / 10);
        answerAnotherQuestion("q0");

        harness.setProcessingTime(TIMEOUT * 15 / 10);
        assertThat(answersTo("q1")).as("subtask 1 was heard from within the timeout").isEmpty();
        harness.processElement(partial(q, 1, 2, List.of(hit("b", 1)), List.of()), 0);

        assertThat(answersTo("q1")).singleElement()
                .satisfies(r -> assertThat(r.passages()).extracting(RetrievedPassage::docId).containsExactly("a", "b"));
    }

    @Test
    void theWaitEndsOnceAMissingSubtaskHasBeenSilentForTheTimeout() throws Exception {
        EmbeddedQuestion q = question("q1", 5);
        harness.processElement(partial(q, 0, 2, List.of(hit("a", 2)), List.of()), 0);
        harness.setProcessingTime(TIMEOUT * 8 / 10);
        answerAnotherQuestion("q0");

        harness.setProcessingTime(TIMEOUT * 18 / 10 - 1);
        assertThat(answersTo("q1")).isEmpty();
        harness.setProcessingTime(TIMEOUT * 18 / 10);
        assertThat(answersTo("q1")).singleElement()
                .satisfies(r -> assertThat(r.passages()).extracting(RetrievedPassage::docId).containsExactly("a"));
    }

    @Test
    void theWaitForASubtaskThatAnswersEverythingElseEndsAfterTenTimeouts() throws Exception {
        EmbeddedQuestion q = question("q1", 5);
        harness.processElement(partial(q, 0, 2, List.of(hit("a", 2)), List.of()), 0);
        long giveUpAt = MergeRetrievals.MAX_WAIT_TIMEOUTS * TIMEOUT;
        for (long t = TIMEOUT / 2; t < giveUpAt; t += TIMEOUT / 2) {
            harness.setProcessingTime(t);
            answerAnotherQuestion("other" + t);
        }
        harness.setProcessingTime(giveUpAt - 1);
        assertThat(answersTo("q1")).isEmpty();

        harness.setProcessingTime(giveUpAt);

        assertThat(answersTo("q1")).singleElement()
                .satisfies(r -> assertThat(r.passages()).extracting(RetrievedPassage::docId).containsExactly("a"));
    }

    @Test
    void aQuestionLongAfterTheStartStillWaitsAFullTimeoutFromItsFirstAnswer() throws Exception {
        answerAnotherQuestion("q0"); // both subtasks heard at 0, long before q1
        EmbeddedQuestion q = question("q1", 5);
        long first = TIMEOUT * 5;
        harness.setProcessingTime(first);
        harness.processElement(partial(q, 0, 2, List.of(hit("a", 2)), List.of()), 0);

        harness.setProcessingTime(first + TIMEOUT - 1);
        assertThat(answersTo("q1")).as("subtask 1 has had less than a timeout for q1").isEmpty();
        harness.setProcessingTime(first + TIMEOUT);
        assertThat(answersTo("q1")).singleElement()
                .satisfies(r -> assertThat(r.passages()).extracting(RetrievedPassage::docId).containsExactly("a"));
    }

    @Test
    void aSubtaskThatAnsweredKeepingBusyDoesNotExtendTheWaitForOneThatIsGone() throws Exception {
        EmbeddedQuestion q = question("q1", 5);
        harness.processElement(partial(q, 0, 2, List.of(hit("a", 2)), List.of()), 0);
        harness.setProcessingTime(TIMEOUT * 9 / 10);
        harness.processElement(partial(question("q2", 5), 0, 2, List.of(hit("x", 1)), List.of()), 0);

        harness.setProcessingTime(TIMEOUT);

        assertThat(answersTo("q1")).as("only subtask 0 is heard from; subtask 1 has been silent a timeout")
                .singleElement()
                .satisfies(r -> assertThat(r.passages()).extracting(RetrievedPassage::docId).containsExactly("a"));
    }

    @Test
    void afterARestoreAPendingMergeWaitsATimeoutFromTheRestoreForTheReplay() throws Exception {
        restoredAtAPendingMergeWaitsForTheReplay(TIMEOUT * 3); // long after the question's own timeout
    }

    @Test
    void afterARestoreLongerThanTheLongestWaitAPendingMergeStillWaitsForTheReplay() throws Exception {
        // The job was down longer than the wait's cap (a stop with savepoint, a slow restart): the cap counts the
        // wait of this run, not the downtime, or the merge would answer from subtask 0 alone before the replay.
        restoredAtAPendingMergeWaitsForTheReplay(2 * MergeRetrievals.MAX_WAIT_TIMEOUTS * TIMEOUT);
    }

    /** Subtask 0's result checkpointed, the job restored at {@code restoredAt}: subtask 1's replayed one is awaited. */
    private void restoredAtAPendingMergeWaitsForTheReplay(long restoredAt) throws Exception {
        EmbeddedQuestion q = question("q1", 5);
        harness.processElement(partial(q, 0, 2, List.of(hit("a", 2)), List.of()), 0);
        OperatorSubtaskState snapshot = harness.snapshot(1L, TIMEOUT / 2);
        harness.close();

        harness = new KeyedOneInputStreamOperatorTestHarness<>(
                new KeyedProcessOperator<>(new MergeRetrievals(TIMEOUT, REMEMBER)),
                p -> p.question().key(), Types.STRING);
        harness.setProcessingTime(restoredAt);
        harness.initializeState(snapshot);
        harness.open();
        harness.setProcessingTime(restoredAt + 1);
        assertThat(harness.extractOutputValues()).isEmpty();

        harness.setProcessingTime(restoredAt + TIMEOUT / 2);
        harness.processElement(partial(q, 1, 2, List.of(hit("b", 1)), List.of()), 0); // replayed to subtask 1

        assertThat(harness.extractOutputValues()).singleElement()
                .satisfies(r -> assertThat(r.passages()).extracting(RetrievedPassage::docId).containsExactly("a", "b"));
    }

    @Test
    void aDuplicateFromTheSameSubtaskDoesNotCountTwice() throws Exception {
        EmbeddedQuestion q = question("q1", 2);
        harness.processElement(partial(q, 0, 2, List.of(hit("a", 2)), List.of()), 0);
        harness.processElement(partial(q, 0, 2, List.of(hit("a", 2)), List.of()), 0);

        assertThat(harness.extractOutputValues()).isEmpty();
    }

    @Test
    void aDuplicateDoesNotStandInForAMissingSubtask() throws Exception {
        EmbeddedQuestion q = question("q1", 2);
        harness.processElement(partial(q, 0, 3, List.of(hit("a", 2)), List.of()), 0);
        harness.processElement(partial(q, 0, 3, List.of(hit("a", 2)), List.of()), 0);
        harness.processElement(partial(q, 1, 3, List.of(hit("b", 1)), List.of()), 0);

        assertThat(harness.extractOutputValues()).as("subtask 2 has not answered").isEmpty();
    }

    @Test
    void onTimeoutEmitsWhatArrivedExactlyOnceAndIgnoresLatePartials() throws Exception {
        EmbeddedQuestion q = question("q1", 5);
        harness.processElement(partial(q, 0, 2, List.of(hit("a", 2)), List.of()), 0);
        harness.setProcessingTime(TIMEOUT - 1);
        assertThat(harness.extractOutputValues()).isEmpty();

        harness.setProcessingTime(TIMEOUT);
        assertThat(harness.extractOutputValues()).singleElement()
                .satisfies(r -> assertThat(r.passages()).extracting(RetrievedPassage::docId).containsExactly("a"));

        harness.processElement(partial(q, 1, 2, List.of(hit("b", 9)), List.of()), 0);
        harness.setProcessingTime(TIMEOUT * 5);
        assertThat(harness.extractOutputValues()).hasSize(1);
    }

    @Test
    void afterATimeoutAVeryLateSubtaskDoesNotStartASecondMergeAndEndsTheMemory() throws Exception {
        EmbeddedQuestion q = question("q1", 5);
        harness.processElement(partial(q, 0, 3, List.of(hit("a", 2)), List.of()), 0);
        harness.setProcessingTime(TIMEOUT); // emits with subtask 0's passages only
        harness.processElement(partial(q, 2, 3, List.of(hit("c", 1)), List.of()), 0);

        harness.setProcessingTime(REMEMBER * 3); // long after a complete merge would be forgotten
        harness.processElement(partial(q, 1, 3, List.of(hit("b", 9)), List.of()), 0); // e.g. a slow index rebuild
        harness.setProcessingTime(REMEMBER * 4);

        assertThat(harness.extractOutputValues()).singleElement()
                .satisfies(r -> assertThat(r.passages()).extracting(RetrievedPassage::docId).containsExactly("a"));
        assertThat(harness.numKeyedStateEntries()).as("every subtask has answered: forgotten").isZero();
        assertThat(harness.numProcessingTimeTimers()).isZero();
    }

    @Test
    void aQuestionThatTimedOutIsRememberedAtLeastAsLongAsACompleteOneAfterItsLateSubtaskAnswers() throws Exception {
        EmbeddedQuestion q = question("q1", 5);
        harness.processElement(partial(q, 0, 2, List.of(hit("a", 2)), List.of()), 0);
        harness.setProcessingTime(TIMEOUT); // emits with subtask 0's passages only
        harness.processElement(partial(q, 1, 2, List.of(hit("b", 9)), List.of()), 0); // just late

        // the same question sent again well within the retention: both subtasks answer it
        harness.setProcessingTime(REMEMBER / 2);
        harness.processElement(partial(q, 0, 2, List.of(hit("a", 2)), List.of()), 0);
        harness.processElement(partial(q, 1, 2, List.of(hit("b", 9)), List.of()), 0);
        assertThat(harness.extractOutputValues()).as("a replay within the retention gets no second answer")
                .hasSize(1);

        harness.setProcessingTime(TIMEOUT + REMEMBER);
        assertThat(harness.numKeyedStateEntries()).as("forgotten after the retention").isZero();
        assertThat(harness.numProcessingTimeTimers()).isZero();
    }

    @Test
    void afterATimeoutAReplayOfASubtaskThatAnsweredDoesNotStandInForAMissingOne() throws Exception {
        EmbeddedQuestion q = question("q1", 5);
        harness.processElement(partial(q, 0, 3, List.of(hit("a", 2)), List.of()), 0);
        harness.setProcessingTime(TIMEOUT);
        harness.processElement(partial(q, 0, 3, List.of(hit("a", 2)), List.of()), 0); // replayed
        harness.processElement(partial(q, 2, 3, List.of(hit("c", 1)), List.of()), 0);

        // subtask 1 is still missing, so the question is still remembered and its late answer dropped
        harness.processElement(partial(q, 1, 3, List.of(hit("b", 9)), List.of()), 0);
        harness.setProcessingTime(TIMEOUT * 3);

        assertThat(harness.extractOutputValues()).hasSize(1);
    }

    @Test
    void replaysAfterACompleteMergeNeverStartASecondOne() throws Exception {
        EmbeddedQuestion q = question("q1", 5);
        // answered, then the question replayed twice within the retention (two restores)
        for (int round = 0; round < 3; round++) {
            harness.processElement(partial(q, 0, 2, List.of(hit("a", 2)), List.of()), 0);
            harness.processElement(partial(q, 1, 2, List.of(hit("b", 1)), List.of()), 0);
        }
        harness.setProcessingTime(TIMEOUT * 2);

        assertThat(harness.extractOutputValues()).hasSize(1);
    }

    @Test
    void aMergeThatTimedOutIsForgottenAfterAnHourEvenIfASubtaskNeverAnswers() throws Exception {
        EmbeddedQuestion q = question("q1", 5);
        harness.processElement(partial(q, 0, 2, List.of(hit("a", 2)), List.of()), 0);
        harness.setProcessingTime(TIMEOUT);

        harness.setProcessingTime(TIMEOUT + MergeRetrievals.REMEMBER_INCOMPLETE_MS);

        assertThat(harness.numKeyedStateEntries()).isZero();
        assertThat(harness.numProcessingTimeTimers()).isZero();
    }

    @Test
    void partialsOfAnOldParallelismAreNotMergedWithTheNewOnesAfterARescale() throws Exception {
        EmbeddedQuestion q = question("q1", 5);
        harness.processElement(partial(q, 0, 4, List.of(hit("old0", 1)), List.of()), 0);
        harness.processElement(partial(q, 1, 4, List.of(hit("old1", 1)), List.of()), 0);
        // restored at parallelism 2: the question is replayed to both new subtasks
        harness.processElement(partial(q, 0, 2, List.of(hit("new0", 1)), List.of()), 0);
        harness.processElement(partial(q, 1, 2, List.of(hit("new1", 2)), List.of()), 0);

        assertThat(harness.extractOutputValues()).singleElement().satisfies(r ->
                assertThat(r.passages()).extracting(RetrievedPassage::docId).containsExactly("new1", "new0"));
    }

    @Test
    void afterARescaleTheTimeoutRunsFromTheFirstPartialOfTheNewParallelism() throws Exception {
        EmbeddedQuestion q = question("q1", 5);
        harness.processElement(partial(q, 0, 4, List.of(hit("old0", 1)), List.of()), 0);
        harness.setProcessingTime(TIMEOUT / 2);
        harness.processElement(partial(q, 0, 2, List.of(hit("new0", 1)), List.of()), 0); // new subtask 1 never answers

        harness.setProcessingTime(TIMEOUT / 2 + TIMEOUT);

        assertThat(harness.extractOutputValues()).singleElement().satisfies(r ->
                assertThat(r.passages()).extracting(RetrievedPassage::docId).containsExactly("new0"));
    }

    @Test
    void forgetsAnsweredQuestionsAfterTheRetention() throws Exception {
        EmbeddedQuestion q = question("q1", 5);
        harness.processElement(partial(q, 0, 1, List.of(hit("a", 2)), List.of()), 0);
        assertThat(harness.numKeyedStateEntries()).isPositive();

        harness.setProcessingTime(REMEMBER);

        assertThat(harness.numKeyedStateEntries()).isZero();
        assertThat(harness.numProcessingTimeTimers()).isZero();
    }

    @Test
    void countsTimedOutMergesAndRecordsHowLongEachMergeWaited() throws Exception {
        harness.close();
        InterceptingOperatorMetricGroup metrics = new InterceptingOperatorMetricGroup();
        TaskMetricGroup task = new UnregisteredMetricGroups.UnregisteredTaskMetricGroup() {
            @Override
            public InternalOperatorMetricGroup getOrAddOperator(
                    OperatorID id, String name, Map<String, String> additionalVariables) {
                return metrics;
            }
        };
        harness = new KeyedOneInputStreamOperatorTestHarness<>(
                new KeyedProcessOperator<>(new MergeRetrievals(TIMEOUT, REMEMBER)), p -> p.question().key(),
                Types.STRING, new MockEnvironmentBuilder().setMetricGroup(task).build());
        harness.open();
        harness.setProcessingTime(1_000);
        EmbeddedQuestion complete = question("q1", 5);
        harness.processElement(partial(complete, 0, 2, List.of(hit("a", 2)), List.of()), 0);
        harness.setProcessingTime(1_300);
        harness.processElement(partial(complete, 1, 2, List.of(hit("b", 1)), List.of()), 0);
        harness.processElement(partial(question("q2", 5), 0, 2, List.of(hit("c", 1)), List.of()), 0);
        harness.setProcessingTime(1_300 + TIMEOUT);

        assertThat(answersTo("q2")).hasSize(1);
        Counter timeouts = (Counter) metrics.get("mergeTimeouts");
        Histogram waits = (Histogram) metrics.get("mergeWaitMs");
        assertThat(timeouts.getCount()).as("q2 timed out, q1 did not").isEqualTo(1);
        assertThat(waits.getStatistics().getValues()).containsExactlyInAnyOrder(300L, TIMEOUT);
    }

    /** Both subtasks answer another question: each is heard from now. */
    private void answerAnotherQuestion(String id) throws Exception {
        EmbeddedQuestion other = question(id, 5);
        harness.processElement(partial(other, 0, 2, List.of(hit("x", 1)), List.of()), 0);
        harness.processElement(partial(other, 1, 2, List.of(hit("y", 1)), List.of()), 0);
    }

    private List<RetrievalResult> answersTo(String questionId) {
        return harness.extractOutputValues().stream().filter(r -> r.question().id().equals(questionId)).toList();
    }

    @Test
    void questionsAreMergedIndependently() throws Exception {
        EmbeddedQuestion q1 = question("q1", 5);
        EmbeddedQuestion q2 = question("q2", 5);
        harness.processElement(partial(q1, 0, 2, List.of(hit("a", 1)), List.of()), 0);
        harness.processElement(partial(q2, 1, 2, List.of(hit("b", 1)), List.of()), 0);
        harness.processElement(partial(q2, 0, 2, List.of(hit("c", 2)), List.of()), 0);

        assertThat(harness.extractOutputValues()).singleElement()
                .satisfies(r -> assertThat(r.question().id()).isEqualTo("q2"));
    }
}
