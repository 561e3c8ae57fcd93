package dev.diffrag.pipeline.summarize;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.util.clock.ManualClock;
import org.junit.jupiter.api.Test;

class ProducerTimeWatermarksTest {

    private static final long BOUND = 5_000;
    private static final long IDLENESS = 30_000;
    private static final long NOW = 1_700_000_000_000L;

    private final ManualClock activity = new ManualClock();
    private final AtomicLong wallClock = new AtomicLong(NOW);
    private final RecordingOutput output = new RecordingOutput();
    private final ProducerTimeWatermarks<String> watermarks =
            new ProducerTimeWatermarks<>(BOUND, IDLENESS, activity, wallClock::get);

    @Test
    void anActiveInputIsTheLargestProducerTimeMinusTheBound() {
        watermarks.onEvent("a", NOW - 1_000, output);
        watermarks.onEvent("b", NOW - 3_000, output);
        watermarks.onPeriodicEmit(output);

        assertThat(output.watermark).isEqualTo(NOW - 1_000 - BOUND - 1);
        assertThat(output.idle).isFalse();
    }

    @Test
    void aQuietInputThatHadCaughtUpFollowsTheClock() {
        watermarks.onEvent("a", NOW - 1_000, output);
        pass(Duration.ofMinutes(10));
        watermarks.onPeriodicEmit(output);

        long clock = NOW + Duration.ofMinutes(10).toMillis();
        assertThat(output.watermark).isEqualTo(clock - IDLENESS - BOUND - 1);
        assertThat(output.idle).isFalse();

        // a record produced before the quiet spell does not move the watermark back
        watermarks.onEvent("late", NOW, output);
        watermarks.onPeriodicEmit(output);
        assertThat(output.watermark).isEqualTo(clock - IDLENESS - BOUND - 1);
    }

    @Test
    void aStragglerReadLastDoesNotMakeACaughtUpInputIdle() {
        watermarks.onEvent("a", NOW - 1_000, output);
        watermarks.onEvent("backfilled", NOW - Duration.ofHours(1).toMillis(), output); // late, in no digest
        pass(Duration.ofMinutes(10));
        watermarks.onPeriodicEmit(output);

        // idle, every input quiet, the last window's digest would wait for the next document
        assertThat(output.idle).isFalse();
        assertThat(output.watermark).isEqualTo(NOW + Duration.ofMinutes(10).toMillis() - IDLENESS - BOUND - 1);
    }

    @Test
    void aBackpressuredInputIsNotQuiet() {
        watermarks.onEvent("a", NOW - 1_000, output);
        wallClock.addAndGet(Duration.ofMinutes(10).toMillis()); // the activity clock stands still

        watermarks.onPeriodicEmit(output);

        assertThat(output.watermark).isEqualTo(NOW - 1_000 - BOUND - 1);
    }

    @Test
    void aQuietInputBehindItsProducersIsIdleAndKeepsItsWatermark() {
        long hourAgo = NOW - Duration.ofHours(1).toMillis();
        watermarks.onEvent("backlog", hourAgo, output);
        watermarks.onPeriodicEmit(output);
        pass(Duration.ofMinutes(1));

        watermarks.onPeriodicEmit(output);

        assertThat(output.idle).isTrue();
        assertThat(output.watermark).isEqualTo(hourAgo - BOUND - 1);

        watermarks.onEvent("more", hourAgo + 10, output);
        watermarks.onPeriodicEmit(output);
        assertThat(output.idle).isFalse();
        assertThat(output.watermark).isEqualTo(hourAgo + 10 - BOUND - 1);
    }

    @Test
    void caughtUpMeansWithinTheIdlenessTimeoutAndTheBoundOfTheClockInclusive() {
        watermarks.onEvent("just caught up", NOW - IDLENESS - BOUND, output);
        pass(Duration.ofMinutes(10));
        watermarks.onPeriodicEmit(output);
        assertThat(output.idle).isFalse();
        assertThat(output.watermark).isEqualTo(wallClock.get() - IDLENESS - BOUND - 1);

        ProducerTimeWatermarks<String> behind = new ProducerTimeWatermarks<>(BOUND, IDLENESS, activity, wallClock::get);
        RecordingOutput behindOutput = new RecordingOutput();
        behind.onEvent("one ms behind", wallClock.get() - IDLENESS - BOUND - 1, behindOutput);
        pass(Duration.ofMinutes(10));
        behind.onPeriodicEmit(behindOutput);
        assertThat(behindOutput.idle).isTrue();
    }

    @Test
    void anInputThatNeverHadARecordIsIdleOnceQuiet() {
        watermarks.onPeriodicEmit(output);
        assertThat(output.idle).isFalse();
        assertThat(output.watermark).isNull();

        pass(Duration.ofMillis(IDLENESS));
        watermarks.onPeriodicEmit(output);

        assertThat(output.idle).isTrue();
        assertThat(output.watermark).isNull();
    }

    @Test
    void recordsWithoutAValidProducerTimeCountAsActivityOnly() {
        watermarks.onEvent("a", NOW - 1_000, output);
        pass(Duration.ofMillis(IDLENESS - 1));
        watermarks.onEvent("malformed", Long.MIN_VALUE, output);
        pass(Duration.ofMillis(IDLENESS - 1));

        watermarks.onPeriodicEmit(output);

        assertThat(output.watermark).isEqualTo(NOW - 1_000 - BOUND - 1);
    }

    private void pass(Duration time) {
        activity.advanceTime(time);
        wallClock.addAndGet(time.toMillis());
    }

    /** The last watermark and whether the input is marked idle, as Flink's source output keeps them. */
    private static final class RecordingOutput implements WatermarkOutput {
        Long watermark;
        boolean idle;

        @Override
        public void emitWatermark(Watermark watermark) {
            this.watermark = watermark.getTimestamp();
            idle = false;
        }

        @Override
        public void markIdle() {
            idle = true;
        }

        @Override
        public void markActive() {
            idle = false;
        }
    }
}
