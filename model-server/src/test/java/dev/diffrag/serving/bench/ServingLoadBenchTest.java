package dev.diffrag.serving.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ServingLoadBenchTest {

    private static final long START = 1_000_000_000L;

    private static long at(double seconds) {
        return START + (long) (seconds * TimeUnit.SECONDS.toNanos(1));
    }

    @Test
    void aServerThatKeepsUpAchievesTheOfferedRateNotMore() {
        // 1 rps for the 4 s step: sent at 0, 1, 2 and 3 s, each answered 120 ms later.
        assertThat(ServingLoadBench.achievedRps(4, START, at(3.12))).isCloseTo(1.0, within(1e-9));
        // 4 rps: 16 requests, the last sent at 3.75 s and answered at 3.91 s.
        assertThat(ServingLoadBench.achievedRps(16, START, at(3.91))).isCloseTo(4.0, within(1e-9));
    }

    @Test
    void aServerThatFallsBehindIsMeasuredUntilItsLastAnswer() {
        // 8 rps offered, 32 requests, the last answered at 8 s: 4 answers a second.
        assertThat(ServingLoadBench.achievedRps(32, START, at(8))).isCloseTo(4.0, within(1e-9));
    }

    @Test
    void theReportsCommandBuildsTheRuntimeClasspath() {
        // maven-dependency-plugin reads its includeScope parameter from -DincludeScope; -Dmdep.includeScope is ignored,
        // and the classpath then holds the test dependencies too.
        assertThat(ServingLoadBench.COMMAND).contains("-DincludeScope=runtime").doesNotContain("mdep.includeScope");
    }

    @Test
    void noAnswerIsZeroThroughput() {
        assertThat(ServingLoadBench.achievedRps(0, START, START)).isZero();
    }

    @Test
    void theServersCounterMayCatchUpWithTheLastResponses() throws Exception {
        // Javalin counts a request after writing its response: read at once, the count was short by the last ones.
        AtomicInteger reads = new AtomicInteger();
        assertThat(ServingLoadBench.countReaching(() -> Math.min(16.0, 14.0 + reads.getAndIncrement()), 16,
                Duration.ofSeconds(2))).isEqualTo(16.0);
    }

    @Test
    void aCounterThatNeverReachesTheCountIsReadUntilThePatienceRunsOut() throws Exception {
        long started = System.nanoTime();
        assertThat(ServingLoadBench.countReaching(() -> 15.0, 16, Duration.ofMillis(200))).isEqualTo(15.0);
        assertThat(System.nanoTime() - started).isGreaterThanOrEqualTo(Duration.ofMillis(200).toNanos());
    }
}
