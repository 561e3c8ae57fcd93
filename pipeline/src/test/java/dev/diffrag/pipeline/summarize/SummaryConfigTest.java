package dev.diffrag.pipeline.summarize;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.diffrag.pipeline.answer.RemoteAnswererConfig;
import org.junit.jupiter.api.Test;

class SummaryConfigTest {

    private static SummaryConfig digest(String summarizer, int sentences, int candidates) {
        return new SummaryConfig(summarizer, 3, 0, 60_000, sentences, candidates, 5_000, 30_000, 16, 20, 60_000,
                RemoteAnswererConfig.defaults());
    }

    /**
     * An in-process salience model reads 64 candidates a request whatever max-candidates says (DigestWindow): with a
     * digest of 64 sentences each group of 64 would choose all 64, no round would leave fewer, and every window with
     * more candidates would fail its digest (counted in digestErrors). Refused when the job is built instead.
     */
    @Test
    void aDigestMustBeSmallerThanTheCandidatesTheSalienceModelReads() {
        for (String salience : new String[] {"diff-v1", "vanilla"}) {
            assertThatThrownBy(() -> digest(salience, 64, 100)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("64");
            assertThatCode(() -> digest(salience, 63, 100)).doesNotThrowAnyException();
        }
        assertThatCode(() -> digest("lead-3", 64, 100)).doesNotThrowAnyException();
    }

    @Test
    void aRemoteDigestMustBeSmallerThanTheCandidatesTheServersSalienceModelReads() {
        // The model server serves the same salience models: a digest of 64 sentences was accepted for 'remote'.
        RemoteAnswererConfig server = new RemoteAnswererConfig("http://127.0.0.1:8080", 5_000, 1, 4, null);
        assertThatThrownBy(() -> new SummaryConfig("remote", 3, 0, 60_000, 64, 100, 5_000, 30_000, 16, 20, 60_000,
                server)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("64");
        assertThatCode(() -> new SummaryConfig("remote", 3, 0, 60_000, 63, 100, 5_000, 30_000, 16, 20, 60_000,
                server)).doesNotThrowAnyException();
    }
}
