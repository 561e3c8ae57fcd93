package dev.diffrag.pipeline.retrieve;

import dev.diffrag.pipeline.index.EmbeddedQuestion;
import dev.diffrag.pipeline.index.PartialRetrieval;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Keyed by question: collects the index subtasks' partial results and emits the fused global top-k once, when every
 * subtask has answered or, failing that, {@code timeoutMs} after the first answer (processing time) with what came.
 *
 * <p>After emitting, the question is remembered so that a late or replayed partial result does not start a second
 * merge: for {@code rememberEmittedMs} when every subtask had answered; after a timeout, until the missing subtasks
 * have answered too (a subtask rebuilding a large index after a restore can take minutes), at most
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

    private final long timeoutMs;
    private final long rememberEmittedMs;

    private transient ListState<PartialRetrieval> partials;
    private transient ValueState<Long> deadline;
    private transient ValueState<Long> forgetAt;
    private transient ListState<Integer> reported;
    private transient Counter timedOut;

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
        timedOut = getRuntimeContext().getMetricGroup().counter("mergeTimeouts");
    }

    @Override
    public void processElement(PartialRetrieval partial, Context ctx, Collector<RetrievalResult> out)
            throws Exception {
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
            long at = ctx.timerService().currentProcessingTime() + timeoutMs;
            ctx.timerService().registerProcessingTimeTimer(at);
            deadline.update(at);
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
        if (due != null && timestamp >= due) {
            timedOut.inc();
            List<PartialRetrieval> received = new ArrayList<>();
            partials.get().forEach(received::add);
            emit(received, ctx, out);
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
        Long due = deadline.value();
        if (due != null) {
            ctx.timerService().deleteProcessingTimeTimer(due);
            deadline.clear();
        }
        boolean complete = received.size() >= received.get(0).parallelism();
        if (!complete) {
            reported.update(received.stream().map(PartialRetrieval::subtask).toList());
        }
        long forget = ctx.timerService().currentProcessingTime()
                + (complete ? rememberEmittedMs : Math.max(rememberEmittedMs, REMEMBER_INCOMPLETE_MS));
        ctx.timerService().registerProcessingTimeTimer(forget);
        forgetAt.update(forget);
    }

    private void startOver(Context ctx) throws Exception {
        partials.clear();
        Long due = deadline.value();
        if (due != null) {
            ctx.timerService().deleteProcessingTimeTimer(due);
            deadline.clear();
        }
    }

    /** A partial result after the merge emitted is dropped; once the last missing subtask has answered, forget. */
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
        ctx.timerService().deleteProcessingTimeTimer(forgetAt.value());
        forgetAt.clear();
        reported.clear();
    }
}
