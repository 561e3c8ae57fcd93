package dev.diffrag.serving;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class MicroBatcherTest {

    /** Records every batch it is called with and doubles each input. */
    private static final class RecordingDoubler implements Function<List<Integer>, List<Integer>> {
        final List<List<Integer>> batches = Collections.synchronizedList(new ArrayList<>());

        @Override
        public List<Integer> apply(List<Integer> inputs) {
            batches.add(List.copyOf(inputs));
            return inputs.stream().map(i -> 2 * i).toList();
        }
    }

    @Test
    void groupsConcurrentRequestsIntoBatchesBoundedByMaxSize() throws Exception {
        RecordingDoubler doubler = new RecordingDoubler();
        List<CompletableFuture<Integer>> results = new ArrayList<>();
        try (MicroBatcher<Integer, Integer> batcher = new MicroBatcher<>("test", doubler, 4, Duration.ofSeconds(1), 100)) {
            for (int i = 0; i < 10; i++) {
                results.add(batcher.submit(i));
            }
            for (int i = 0; i < 10; i++) {
                assertThat(results.get(i).get(5, TimeUnit.SECONDS)).isEqualTo(2 * i);
            }
        }
        // Ten requests queued at once fill batches of four before the one-second delay runs out.
        assertThat(doubler.batches).extracting(List::size).containsExactly(4, 4, 2);
    }

    @Test
    void runsAPartialBatchOnceTheOldestRequestHasWaitedMaxDelay() throws Exception {
        RecordingDoubler doubler = new RecordingDoubler();
        try (MicroBatcher<Integer, Integer> batcher = new MicroBatcher<>("test", doubler, 64, Duration.ofMillis(50), 100)) {
            long start = System.nanoTime();
            assertThat(batcher.submit(21).get(5, TimeUnit.SECONDS)).isEqualTo(42);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
        }
        assertThat(doubler.batches).containsExactly(List.of(21));
    }

    @Test
    void aRequestThatWaitedMaxDelayBehindARunningBatchRunsAsSoonAsThatBatchEnds() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        List<List<Integer>> calls = new CopyOnWriteArrayList<>();
        Duration maxDelay = Duration.ofSeconds(2);
        try (MicroBatcher<Integer, Integer> batcher =
                new MicroBatcher<>("test", failOnNegative(calls, gate(started, release)), 2, maxDelay, 10)) {
            batcher.submit(0);
            batcher.submit(1); // a full batch, held in the model
            assertThat(started.await(5, TimeUnit.SECONDS)).isTrue();
            CompletableFuture<Integer> behind = batcher.submit(2);
            Thread.sleep(maxDelay.toMillis() + 500);

            long released = System.nanoTime();
            release.countDown();

            assertThat(behind.get(10, TimeUnit.SECONDS)).isEqualTo(2);
            // Its deadline counted from when the worker took it, it waited another maxDelay for company.
            assertThat(Duration.ofNanos(System.nanoTime() - released)).isLessThan(maxDelay.dividedBy(2));
            assertThat(calls).containsExactly(List.of(0, 1), List.of(2));
        }
    }

    @Test
    void failsEveryRequestOfAFailedBatchAndKeepsServing() throws Exception {
        Function<List<Integer>, List<Integer>> failOnNegative = inputs -> {
            if (inputs.stream().anyMatch(i -> i < 0)) {
                throw new IllegalArgumentException("negative input");
            }
            return inputs;
        };
        try (MicroBatcher<Integer, Integer> batcher = new MicroBatcher<>("test", failOnNegative, 1, Duration.ZERO, 10)) {
            assertThatThrownBy(() -> batcher.submit(-1).get(5, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .hasCauseInstanceOf(IllegalArgumentException.class);
            assertThat(batcher.submit(7).get(5, TimeUnit.SECONDS)).isEqualTo(7);
        }
    }

    @Test
    void aRequestThatFailsItsBatchFailsAloneAndItsNeighboursAreAnswered() throws Exception {
        List<List<Integer>> calls = new CopyOnWriteArrayList<>();
        try (MicroBatcher<Integer, Integer> batcher =
                new MicroBatcher<>("test", failOnNegative(calls, () -> {}), 3, Duration.ofSeconds(10), 10)) {
            CompletableFuture<Integer> one = batcher.submit(1);
            CompletableFuture<Integer> bad = batcher.submit(-1);
            CompletableFuture<Integer> two = batcher.submit(2);

            assertThat(one.get(5, TimeUnit.SECONDS)).isEqualTo(1);
            assertThat(two.get(5, TimeUnit.SECONDS)).isEqualTo(2);
            assertThatThrownBy(() -> bad.get(5, TimeUnit.SECONDS)).hasCauseInstanceOf(IllegalArgumentException.class);
            assertThat(calls).containsExactly(List.of(1, -1, 2), List.of(1), List.of(-1), List.of(2));
        }
    }

    @Test
    void aPartialFailureCompletesEachRequestWithItsOwnOutcomeWithoutRunningTheBatchAgain() throws Exception {
        List<List<Integer>> calls = new CopyOnWriteArrayList<>();
        Function<List<Integer>, List<Integer>> eachOnItsOwn = inputs -> {
            calls.add(List.copyOf(inputs));
            List<Integer> outputs = new ArrayList<>();
            List<RuntimeException> errors = new ArrayList<>();
            for (int input : inputs) {
                outputs.add(input < 0 ? null : input * 10);
                errors.add(input < 0 ? new IllegalArgumentException("negative input " + input) : null);
            }
            throw new MicroBatcher.PartialFailure(outputs, errors);
        };
        try (MicroBatcher<Integer, Integer> batcher =
                new MicroBatcher<>("test", eachOnItsOwn, 3, Duration.ofSeconds(10), 10)) {
            CompletableFuture<Integer> one = batcher.submit(1);
            CompletableFuture<Integer> bad = batcher.submit(-1);
            CompletableFuture<Integer> two = batcher.submit(2);

            assertThat(one.get(5, TimeUnit.SECONDS)).isEqualTo(10);
            assertThat(two.get(5, TimeUnit.SECONDS)).isEqualTo(20);
            assertThatThrownBy(() -> bad.get(5, TimeUnit.SECONDS))
                    .hasCauseInstanceOf(IllegalArgumentException.class).hasMessageContaining("negative input -1");
            assertThat(calls).containsExactly(List.of(1, -1, 2));
        }
    }

    @Test
    void afterAFailedBatchARequestCancelledMeanwhileIsNotRunAlone() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        List<List<Integer>> calls = new CopyOnWriteArrayList<>();
        try (MicroBatcher<Integer, Integer> batcher =
                new MicroBatcher<>("test", failOnNegative(calls, gate(started, release)), 3, Duration.ofSeconds(10),
                        10)) {
            CompletableFuture<Integer> abandoned = batcher.submit(1);
            CompletableFuture<Integer> bad = batcher.submit(-1);
            CompletableFuture<Integer> wanted = batcher.submit(2);
            assertThat(started.await(5, TimeUnit.SECONDS)).isTrue();
            abandoned.cancel(false); // its caller timed out while the batch ran

            release.countDown();

            assertThat(wanted.get(5, TimeUnit.SECONDS)).isEqualTo(2);
            assertThatThrownBy(() -> bad.get(5, TimeUnit.SECONDS)).hasCauseInstanceOf(IllegalArgumentException.class);
            assertThat(calls).containsExactly(List.of(1, -1, 2), List.of(-1), List.of(2));
        }
    }

    @Test
    void aRequestCancelledWhileQueuedIsNotRun() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        List<List<Integer>> calls = new CopyOnWriteArrayList<>();
        try (MicroBatcher<Integer, Integer> batcher =
                new MicroBatcher<>("test", failOnNegative(calls, gate(started, release)), 2, Duration.ZERO, 10)) {
            CompletableFuture<Integer> running = batcher.submit(0);
            assertThat(started.await(5, TimeUnit.SECONDS)).isTrue();
            CompletableFuture<Integer> abandoned = batcher.submit(1);
            CompletableFuture<Integer> wanted = batcher.submit(2);
            abandoned.cancel(false);
            assertThat(batcher.queued()).as("the cancelled request left the queue").isEqualTo(1);

            release.countDown();

            assertThat(wanted.get(5, TimeUnit.SECONDS)).isEqualTo(2);
            assertThat(running.get(5, TimeUnit.SECONDS)).isZero();
            assertThat(calls).containsExactly(List.of(0), List.of(2));
        }
    }

    @Test
    void aRequestCancelledWhileItsBatchIsGatheringIsNotRun() throws Exception {
        RecordingDoubler doubler = new RecordingDoubler();
        try (MicroBatcher<Integer, Integer> batcher = new MicroBatcher<>("test", doubler, 2, Duration.ofSeconds(10), 10)) {
            CompletableFuture<Integer> abandoned = batcher.submit(1);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (batcher.queued() > 0) { // the worker took it and waits for a second request
                assertThat(System.nanoTime()).isLessThan(deadline);
                Thread.sleep(1);
            }
            abandoned.cancel(false);

            assertThat(batcher.submit(2).get(5, TimeUnit.SECONDS)).isEqualTo(4);
        }
        assertThat(doubler.batches).containsExactly(List.of(2));
    }

    @Test
    void failsABatchWhoseResultCountIsWrong() throws Exception {
        try (MicroBatcher<Integer, Integer> batcher =
                new MicroBatcher<>("test", inputs -> List.of(), 1, Duration.ZERO, 10)) {
            assertThatThrownBy(() -> batcher.submit(1).get(5, TimeUnit.SECONDS))
                    .hasCauseInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("0 results for 1 inputs");
        }
    }

    @Test
    void rejectsWhenTheQueueIsFull() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        try (MicroBatcher<Integer, Integer> batcher = new MicroBatcher<>(
                "test", failOnNegative(new CopyOnWriteArrayList<>(), gate(started, release)), 1, Duration.ZERO, 2)) {
            CompletableFuture<Integer> running = batcher.submit(0);
            assertThat(started.await(5, TimeUnit.SECONDS)).isTrue();
            CompletableFuture<Integer> queued1 = batcher.submit(1);
            CompletableFuture<Integer> queued2 = batcher.submit(2);

            CompletableFuture<Integer> overflow = batcher.submit(3);
            boolean rejectedAtOnce = overflow.isCompletedExceptionally();
            release.countDown(); // before any assertion, so that a failure cannot leave close() waiting on the batch

            assertThat(rejectedAtOnce).as("the fourth request is refused, not queued").isTrue();
            assertThatThrownBy(overflow::join).hasCauseInstanceOf(RejectedExecutionException.class);
            assertThat(List.of(running.get(5, TimeUnit.SECONDS), queued1.get(5, TimeUnit.SECONDS),
                    queued2.get(5, TimeUnit.SECONDS))).containsExactly(0, 1, 2);
        }
    }

    @Test
    void closeRunsEverythingQueuedAndThenRejects() throws Exception {
        RecordingDoubler doubler = new RecordingDoubler();
        MicroBatcher<Integer, Integer> batcher = new MicroBatcher<>("test", doubler, 3, Duration.ofSeconds(10), 100);
        List<CompletableFuture<Integer>> results = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            results.add(batcher.submit(i));
        }
        long start = System.nanoTime();
        batcher.close();

        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
        assertThat(results).allSatisfy(result -> assertThat(result).isCompleted());
        assertThat(results.get(6).join()).isEqualTo(12);
        assertThatThrownBy(() -> batcher.submit(1).join()).hasCauseInstanceOf(RejectedExecutionException.class);
    }


    @Test
    void closeFailsWhatIsStillQueuedOnceItsTimeoutHasPassedAndWaitsForTheRunningBatch() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        List<List<Integer>> calls = new CopyOnWriteArrayList<>();
        MicroBatcher<Integer, Integer> batcher =
                new MicroBatcher<>("test", failOnNegative(calls, gate(started, release)), 1, Duration.ZERO, 10);
        CompletableFuture<Integer> running = batcher.submit(0);
        assertThat(started.await(5, TimeUnit.SECONDS)).isTrue();
        List<CompletableFuture<Integer>> queued = List.of(batcher.submit(1), batcher.submit(2));

        CompletableFuture<Boolean> closing = CompletableFuture.supplyAsync(() -> {
            try {
                return batcher.close(Duration.ofMillis(200), Duration.ofSeconds(30));
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        try {
            CompletableFuture.allOf(queued.toArray(CompletableFuture[]::new)).exceptionally(error -> null)
                    .get(10, TimeUnit.SECONDS);
            assertThat(closing).as("close waits for the batch still running").isNotDone();
        } finally {
            release.countDown();
        }

        assertThat(closing.get(10, TimeUnit.SECONDS)).as("the worker ended").isTrue();
        assertThat(running.get(5, TimeUnit.SECONDS)).isZero();
        assertThat(queued).allSatisfy(result -> assertThatThrownBy(result::join)
                .hasCauseInstanceOf(RejectedExecutionException.class)
                .hasMessageContaining("closed before this request's batch ran"));
        assertThat(calls).containsExactly(List.of(0));
    }

    @Test
    void closeStopsWaitingForABatchStillRunningAfterItsTimeout() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        MicroBatcher<Integer, Integer> batcher = new MicroBatcher<>(
                "test", failOnNegative(new CopyOnWriteArrayList<>(), gate(started, release)), 1, Duration.ZERO, 10);
        try {
            batcher.submit(0);
            assertThat(started.await(5, TimeUnit.SECONDS)).isTrue();

            assertThat(batcher.close(Duration.ZERO, Duration.ofMillis(100))).as("the worker still runs").isFalse();
        } finally {
            release.countDown();
        }
    }

    @Test
    void rejectsAnEmptyBatchSizeQueueOrNegativeDelay() {
        Function<List<Integer>, List<Integer>> identity = inputs -> inputs;
        assertThatThrownBy(() -> new MicroBatcher<>("test", identity, 0, Duration.ZERO, 1))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new MicroBatcher<>("test", identity, 1, Duration.ZERO, 0))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new MicroBatcher<>("test", identity, 1, Duration.ofMillis(-1), 1))
                .isInstanceOf(IllegalArgumentException.class);
    }

    /** Records each batch, runs {@code during} (a test's gate), then fails any batch that holds a negative input. */
    private static Function<List<Integer>, List<Integer>> failOnNegative(List<List<Integer>> calls, Runnable during) {
        return inputs -> {
            calls.add(List.copyOf(inputs));
            during.run();
            if (inputs.stream().anyMatch(i -> i < 0)) {
                throw new IllegalArgumentException("negative input");
            }
            return inputs;
        };
    }

    /** Signals {@code started}, then waits for {@code release}. */
    private static Runnable gate(CountDownLatch started, CountDownLatch release) {
        return () -> {
            started.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        };
    }
}
