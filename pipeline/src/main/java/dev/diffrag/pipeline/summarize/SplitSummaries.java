package dev.diffrag.pipeline.summarize;

import dev.diffrag.connectors.records.SummaryRecord;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Emits each version's summary record, where it has one, and sends its digest candidate to {@link #DIGEST_CANDIDATES}.
 */
public final class SplitSummaries extends ProcessFunction<SummarizedVersion, SummaryRecord> {

    public static final OutputTag<DigestCandidate> DIGEST_CANDIDATES = new OutputTag<>("digest-candidates") {};

    @Override
    public void processElement(SummarizedVersion summarized, Context ctx, Collector<SummaryRecord> out) {
        if (summarized.summary() != null) {
            out.collect(summarized.summary());
        }
        ctx.output(DIGEST_CANDIDATES, summarized.candidate());
    }
}
