package dev.diffrag.pipeline.retrieve;

import dev.diffrag.pipeline.index.EmbeddedQuestion;
import dev.diffrag.pipeline.index.PartialRetrieval;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Keyed by question: collects the index subtasks' partial results and emits the fused global top-k once, when every
 * subtask has answered or, failing that, with what came once a subtask that has not answered has been silent for
 * {@code timeoutMs} (processing time): this merge instance has received nothing from it, for any question, for that
 * long. The wait starts at the question's first answer. A subtask that keeps answering other questions is behind,
 * not gone: under a burst one subtask can reach a question many seconds after the other (both receive every question,
 * each in its own order), and a wait measured per question answered such questions from part of the index
 * (docs/results/merge-timeout-burst/). Such a wait still ends after {@link #MAX_WAIT_TIMEOUTS} × {@code timeoutMs}
 * (after a restore, counted from the restore).
 *
 * <p>After emitting, the question is remembered so that a late or replayed partial result does not start a second
 * merge: for {@code rememberEmittedMs} when every subtask had answered; after a timeout, as long and also until the
 * missing subtasks have answered too (a subtask rebuilding a large index after a restore can take minutes), at most
 * {@link #REMEMBER_INCOMPLETE_MS}. Then its state is gone.
 */
public final class MergeRetrievals extends KeyedProcessFunction<String, PartialRetrieval, RetrievalResult> {

    private static final ListStateDescriptor<PartialRetrieval> PARTIALS =
            new ListStateDescriptor<>("partials", PartialRetrieval.class);
    private static final ValueStateDescriptor<Long> DEADLINE = new ValueStateDescriptor<>("deadline", Types.LONG);
    private static final ValueStateDescriptor<Long> FORGET_AT = new ValueStateDescriptor<>("forget-at", Types.LONG);
    private static final ListStateDescriptor<Integer> REPORTED =
            new ListStateDescriptor<>("reported-after-timeout", Types.INT);

    /** How long a merge that timed out waits for its missing subtasks before forgetting the question anyway. */
    static final long REMEMBER_INCOMPLETE_MS = 60 * 60 * 1000;

    /** Merges kept for the wait histogram's percentiles. */
    private static final int WAIT_WINDOW = 10_000;

    /** The longest wait for a subtask that keeps answering other questions, in timeouts. */
    static final int MAX_WAIT_TIMEOUTS = 10;

    private static final ValueStateDescriptor<Long> WAITING_SINCE =
            new ValueStateDescriptor<>("waiting-since", Types.LONG);

    private final long timeoutMs;
    private final long rememberEmittedMs;

    private transient ListState<PartialRetrieval> partials;
    private transient ValueState<Long> deadline;
    private transient ValueState<Long> waitingSince;
    private transient ValueState<Long> forgetAt;
    private transient ListState<Integer> reported;
    private transient Counter timedOut;
    /** From a question's first partial result to its merge: how far the slowest subtask trails the first. */
    private transient Histogram waitMs;
    /**
     * Processing time of the last partial result from each index subtask, for every question of this instance. Not
     * state: after a restore every subtask counts as heard when this instance first runs.
     */
    private transient Map<Integer, Long> lastHeardFrom;
    private transient long startedAt;

    public MergeRetrievals(long timeoutMs, long rememberEmittedMs) {
        if (timeoutMs <= 0 || rememberEmittedMs <= 0) {
            throw new IllegalArgumentException("timeouts must be positive");
        }
        this.timeoutMs = timeoutMs;
        this.rememberEmittedMs = rememberEmittedMs;
    }

    @Override
    public void open(OpenContext openContext) {
        partials = getRuntimeContext().getListState(PARTIALS);
        deadline = getRuntimeContext().getState(DEADLINE);
        forgetAt = getRuntimeContext().getState(FORGET_AT);
        reported = getRuntimeContext().getListState(REPORTED);
        waitingSince = getRuntimeContext().getState(WAITING_SINCE);
        timedOut = getRuntimeContext().getMetricGroup().counter("mergeTimeouts");
        waitMs = getRuntimeContext().getMetricGroup()
                .histogram("mergeWaitMs", new DescriptiveStatisticsHistogram(WAIT_WINDOW));
        lastHeardFrom = new HashMap<>();
        startedAt = -1;
    }

    @Override
    public void processElement(PartialRetrieval partial, Context ctx, Collector<RetrievalResult> out)
            throws Exception {
        long now = ctx.timerService().currentProcessingTime();
        heard(now);
        lastHeardFrom.put(partial.subtask(), now);
        if (forgetAt.value() != null) {
            dropAfterEmit(partial, ctx);
            return;
        }
        List<PartialRetrieval> received = new ArrayList<>();
        for (PartialRetrieval earlier : partials.get()) {
            if (earlier.parallelism() != partial.parallelism()) {
                // Restored after a rescale: subtask numbers of the old parallelism name other key ranges, so the
                // earlier partials cannot be merged with the new ones; the question is replayed to every new subtask.
                startOver(ctx);
                received.clear();
                break;
            }
            if (earlier.subtask() == partial.subtask()) {
                return; // a replayed duplicate
            }
            received.add(earlier);
        }
        partials.add(partial);
        received.add(partial);
        if (received.size() >= partial.parallelism()) {
            emit(received, ctx, out);
        } else if (deadline.value() == null) {
            waitingSince.update(now);
            waitUntil(now + timeoutMs, ctx);
        }
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<RetrievalResult> out) throws Exception {
        Long forget = forgetAt.value();
        if (forget != null) {
            if (timestamp >= forget) {
                forgetAt.clear();
                reported.clear();
            }
            return;
        }
        Long due = deadline.value();
        if (due == null || timestamp < due) {
            return;
        }
        long now = ctx.timerService().currentProcessingTime(); // later than timestamp when restored past due
        heard(now);
        List<PartialRetrieval> received = new ArrayList<>();
        partials.get().forEach(received::add);
        Set<Integer> answered = received.stream().map(PartialRetrieval::subtask).collect(Collectors.toSet());
        long silentFrom = IntStream.range(0, received.get(0).parallelism())
                .filter(subtask -> !answered.contains(subtask))
                .mapToLong(subtask -> lastHeardFrom.getOrDefault(subtask, startedAt) + timeoutMs)
                .min().orElse(now);
        Long since = waitingSince.value(); // null in state of a savepoint taken before the wait was extended
        // The cap counts this instance's wait: the time a restored job was down is no wait for the replay.
        long waitingFrom = Math.max(since != null ? since : due - timeoutMs, startedAt);
        long giveUpAt = waitingFrom + MAX_WAIT_TIMEOUTS * timeoutMs;
        if (silentFrom > now && now < giveUpAt) {
            // every missing subtask answered some question within the timeout: it is behind, wait on
            waitUntil(Math.min(silentFrom, giveUpAt), ctx);
            return;
        }
        timedOut.inc();
        emit(received, ctx, out);
    }

    private void stopWaiting(Context ctx) throws Exception {
        Long due = deadline.value();
        if (due != null) {
            ctx.timerService().deleteProcessingTimeTimer(due);
            deadline.clear();
        }
        waitingSince.clear();
    }

    private void waitUntil(long at, Context ctx) throws Exception {
        ctx.timerService().registerProcessingTimeTimer(at);
        deadline.update(at);
    }

    /** The first call of this instance starts its clock: a subtask not heard from yet counts as heard then. */
    private void heard(long now) {
        if (startedAt < 0) {
            startedAt = now;
        }
    }

    private void emit(List<PartialRetrieval> received, Context ctx, Collector<RetrievalResult> out)
            throws Exception {
        EmbeddedQuestion question = received.get(0).question();
        out.collect(new RetrievalResult(
                question.question(),
                ReciprocalRankFusion.fuse(received, question.topK(), question.rankWindow()),
                question.receivedMs()));
        partials.clear();
        long now = ctx.timerService().currentProcessingTime();
        Long since = waitingSince.value();
        waitMs.update(since == null ? 0 : now - since);
        stopWaiting(ctx);
        boolean complete = received.size() >= received.get(0).parallelism();
        if (!complete) {
            reported.update(received.stream().map(PartialRetrieval::subtask).toList());
        }
        forgetAt(now + (complete ? rememberEmittedMs : rememberIncompleteMs()), ctx);
    }

    /** How long a merge that timed out is remembered while a subtask has not answered. */
    private long rememberIncompleteMs() {
        return Math.max(rememberEmittedMs, REMEMBER_INCOMPLETE_MS);
    }

    private void forgetAt(long at, Context ctx) throws Exception {
        ctx.timerService().registerProcessingTimeTimer(at);
        forgetAt.update(at);
    }

    private void startOver(Context ctx) throws Exception {
        partials.clear();
        stopWaiting(ctx);
    }

    /**
     * A partial result after the merge emitted is dropped; once the last missing subtask has answered, the question is
     * remembered as a complete merge is, until {@code rememberEmittedMs} after the merge (forgetting it at once gave
     * the question sent again soon after a second answer).
     */
    private void dropAfterEmit(PartialRetrieval partial, Context ctx) throws Exception {
        List<Integer> subtasks = new ArrayList<>();
        reported.get().forEach(subtasks::add);
        if (subtasks.isEmpty() || subtasks.contains(partial.subtask())) {
            return; // the merge was complete (only replays come now), or a replay of a subtask that answered
        }
        subtasks.add(partial.subtask());
        if (subtasks.size() < partial.parallelism()) {
            reported.update(subtasks);
            return;
        }
        long emittedAt = forgetAt.value() - rememberIncompleteMs();
        ctx.timerService().deleteProcessingTimeTimer(forgetAt.value());
        forgetAt.clear();
        reported.clear();
        long now = ctx.timerService().currentProcessingTime();
        if (emittedAt + rememberEmittedMs > now) {
            forgetAt(emittedAt + rememberEmittedMs, ctx);
        }
    }
}
