package dev.diffrag.pipeline.summarize;

import java.util.function.LongSupplier;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.util.clock.RelativeClock;

/**
 * Watermarks of one input (a Kafka partition) from producer times: the largest seen minus the out-of-orderness bound,
 * like Flink's bounded out-of-orderness generator. What an input without records for the idleness timeout does depends
 * on whether it had caught up with its producers:
 *
 * <ul>
 *   <li>it had (when it read its last record, the largest producer time it had shown was within the idleness timeout
 *       and the bound of the clock): what comes next is produced about now, so its watermark follows the job's clock,
 *       the idleness timeout and the bound behind. Marked idle instead, as Flink's idleness does, nothing would
 *       advance the watermark once every input was quiet: the digest of the last window before a quiet spell was
 *       written only when a later document came, or never;</li>
 *   <li>it had not (it never had a record, or read a backlog of older documents): it is marked idle, so it holds no
 *       other input back, and following the clock could make its still unread backlog late.</li>
 * </ul>
 *
 * <p>Quiet time is measured on the source's input activity clock, which stands still while the source is
 * backpressured: a summarizer that falls behind does not make an input look quiet.
 */
final class ProducerTimeWatermarks<T> implements WatermarkGenerator<T> {

    private final long outOfOrdernessMs;
    private final long idlenessMs;
    private final RelativeClock inputActivity;
    private final LongSupplier epochMillis;

    private long maxProducedAt = Long.MIN_VALUE;
    private long lastRecordAt;
    private boolean caughtUp;
    private long emitted = Long.MIN_VALUE;

    ProducerTimeWatermarks(long outOfOrdernessMs, long idlenessMs, RelativeClock inputActivity,
            LongSupplier epochMillis) {
        this.outOfOrdernessMs = outOfOrdernessMs;
        this.idlenessMs = idlenessMs;
        this.inputActivity = inputActivity;
        this.epochMillis = epochMillis;
        this.lastRecordAt = inputActivity.relativeTimeMillis();
    }

    @Override
    public void onEvent(T record, long producedAt, WatermarkOutput output) {
        lastRecordAt = inputActivity.relativeTimeMillis();
        if (producedAt == Long.MIN_VALUE) {
            return; // a record validation will reject (ParseDocuments.eventTime)
        }
        maxProducedAt = Math.max(maxProducedAt, producedAt);
        // By the largest producer time, not this record's: a late straggler read last is no unread backlog.
        caughtUp = epochMillis.getAsLong() - maxProducedAt <= idlenessMs + outOfOrdernessMs;
    }

    @Override
    public void onPeriodicEmit(WatermarkOutput output) {
        boolean quiet = inputActivity.relativeTimeMillis() - lastRecordAt >= idlenessMs;
        if (quiet && !caughtUp) {
            output.markIdle();
            return;
        }
        if (maxProducedAt != Long.MIN_VALUE) {
            emitted = Math.max(emitted, maxProducedAt - outOfOrdernessMs - 1);
        }
        if (quiet) {
            emitted = Math.max(emitted, epochMillis.getAsLong() - idlenessMs - outOfOrdernessMs - 1);
        }
        if (emitted != Long.MIN_VALUE) {
            output.emitWatermark(new Watermark(emitted));
        }
    }
}
