package dev.diffrag.pipeline.summarize;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.streaming.api.windowing.windows.TimeWindow;
import org.apache.flink.util.Collector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The digest candidates that reached their window after it had fired (the window operator's late side output): they
 * are in no digest, since digests are never rewritten. Logged and counted in {@code lateDigestCandidates} so that the
 * loss shows; the document's own summary is written as usual.
 */
public final class LateDigestCandidates extends ProcessFunction<DigestCandidate, Void> {

    private static final Logger LOG = LoggerFactory.getLogger(LateDigestCandidates.class);

    private final long windowMs;
    private transient Counter late;

    public LateDigestCandidates(long windowMs) {
        this.windowMs = windowMs;
    }

    @Override
    public void open(OpenContext openContext) {
        late = getRuntimeContext().getMetricGroup().counter("lateDigestCandidates");
    }

    @Override
    public void processElement(DigestCandidate candidate, Context ctx, Collector<Void> out) {
        late.inc();
        long windowStart = TimeWindow.getWindowStartWithOffset(candidate.producedAtMs(), 0, windowMs);
        LOG.warn("{}/{} version {} (produced at {}) came after the digest {} of window [{}, {}) fired; it is in no "
                        + "digest", candidate.tenant(), candidate.docId(), candidate.version(),
                candidate.producedAtMs(), candidate.digestKey(), windowStart, windowStart + windowMs);
    }
}
