package dev.diffrag.pipeline.answer;

import dev.diffrag.connectors.records.AnswerRecord;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;

/**
 * Counts answers and abstentions and records question latency (produced → answer about to be written) in Flink's
 * metric system, just before the answers sink; passes every answer through unchanged.
 */
public final class AnswerMetrics extends RichMapFunction<AnswerRecord, AnswerRecord> {

    /** Latencies kept for the histogram's percentiles. */
    private static final int LATENCY_WINDOW = 10_000;

    private transient Counter answers;
    private transient Counter abstentions;
    private transient Histogram latencyMs;

    @Override
    public void open(OpenContext openContext) {
        var group = getRuntimeContext().getMetricGroup();
        answers = group.counter("answers");
        abstentions = group.counter("abstentions");
        latencyMs = group.histogram("questionLatencyMs", new DescriptiveStatisticsHistogram(LATENCY_WINDOW));
    }

    @Override
    public AnswerRecord map(AnswerRecord answer) {
        (answer.abstained() ? abstentions : answers).inc();
        latencyMs.update(answer.latencyMs());
        return answer;
    }
}
