package dev.diffrag.serving;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ServerConfigTest {

    @Test
    void everySettingIsReadFromItsOwnVariable() {
        // Distinct values, so that reading one setting from another's variable shows.
        ServerConfig config = ServerConfig.fromEnv(Map.ofEntries(
                Map.entry("DIFFRAG_SERVER_PORT", "9001"),
                Map.entry("DIFFRAG_SERVER_ANSWERER", "baseline-sentence"),
                Map.entry("DIFFRAG_SERVER_ABSTAIN_THRESHOLD", "0.25"),
                Map.entry("DIFFRAG_SERVER_SUMMARIZER", "lead-3"),
                Map.entry("DIFFRAG_SERVER_MAX_BATCH_SIZE", "2"),
                Map.entry("DIFFRAG_SERVER_MAX_BATCH_DELAY_MS", "3"),
                Map.entry("DIFFRAG_SERVER_QUEUE_CAPACITY", "4"),
                Map.entry("DIFFRAG_SERVER_MAX_BODY_BYTES", "5"),
                Map.entry("DIFFRAG_SERVER_MAX_QUESTION_CHARS", "6"),
                Map.entry("DIFFRAG_SERVER_MAX_CONTEXTS", "7"),
                Map.entry("DIFFRAG_SERVER_MAX_CONTEXT_CHARS", "8"),
                Map.entry("DIFFRAG_SERVER_MAX_DOCUMENTS", "9"),
                Map.entry("DIFFRAG_SERVER_MAX_DOCUMENT_CHARS", "10"),
                Map.entry("DIFFRAG_SERVER_TOKEN", " secret "),
                Map.entry("DIFFRAG_SERVER_SHUTDOWN_TIMEOUT_MS", "11")));

        assertThat(config).isEqualTo(new ServerConfig(9001, "baseline-sentence", 0.25, "lead-3", 2, 3, 4, 5, 6, 7, 8,
                9, 10, "secret", 11));
    }

    @Test
    void refusesFractionsForIntegersAndValuesOutOfRange() {
        assertThatThrownBy(() -> ServerConfig.fromEnv(Map.of("DIFFRAG_SERVER_MAX_BATCH_SIZE", "2.5")))
                .hasMessageContaining("DIFFRAG_SERVER_MAX_BATCH_SIZE must be a whole number, got '2.5'");
        assertThatThrownBy(() -> ServerConfig.fromEnv(Map.of("DIFFRAG_SERVER_PORT", "65536")))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ServerConfig.fromEnv(Map.of("DIFFRAG_SERVER_ABSTAIN_THRESHOLD", "1.01")))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ServerConfig.fromEnv(Map.of("DIFFRAG_SERVER_MAX_BATCH_DELAY_MS", "-1")))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void longSettingsAreWholeNumbersNotCastFractionsOrInfinity() {
        // Read as doubles and cast, these were 2 ms, a confusing "must be positive, got 0" and Long.MAX_VALUE ms.
        for (String variable : List.of("DIFFRAG_SERVER_MAX_BATCH_DELAY_MS", "DIFFRAG_SERVER_MAX_BODY_BYTES",
                "DIFFRAG_SERVER_SHUTDOWN_TIMEOUT_MS")) {
            for (String value : List.of("2.9", "0.5", "Infinity", "1e3")) {
                assertThatThrownBy(() -> ServerConfig.fromEnv(Map.of(variable, value)))
                        .hasMessage(variable + " must be a whole number, got '" + value + "'");
            }
        }
    }

    @Test
    void theBatchDelayIsAtMostAMinute() {
        assertThat(ServerConfig.fromEnv(Map.of("DIFFRAG_SERVER_MAX_BATCH_DELAY_MS", "60000")).maxBatchDelayMs())
                .isEqualTo(60_000);
        assertThatThrownBy(() -> ServerConfig.fromEnv(
                        Map.of("DIFFRAG_SERVER_MAX_BATCH_DELAY_MS", "9223372036854775807")))
                .hasMessage("DIFFRAG_SERVER_MAX_BATCH_DELAY_MS must be at most 60000 ms, got 9223372036854775807");
    }

    @Test
    void rangeErrorsNameTheVariableTheValueCameFrom() {
        // They named the property key (diffrag.server.port) while parse errors named the variable.
        assertThatThrownBy(() -> ServerConfig.fromEnv(Map.of("DIFFRAG_SERVER_PORT", "65536")))
                .hasMessage("DIFFRAG_SERVER_PORT must be in [0, 65535], got 65536");
        assertThatThrownBy(() -> ServerConfig.fromEnv(Map.of("DIFFRAG_SERVER_MAX_CONTEXTS", "0")))
                .hasMessage("DIFFRAG_SERVER_MAX_CONTEXTS must be positive, got 0");
        assertThatThrownBy(() -> ServerConfig.fromEnv(Map.of("DIFFRAG_SERVER_MAX_CONTEXT_CHARS", "0")))
                .hasMessage("DIFFRAG_SERVER_MAX_CONTEXT_CHARS must be positive, got 0");
        // Built in code, the record still names its keys.
        assertThatThrownBy(() -> ServerConfig.defaults().withPort(-1))
                .hasMessage("diffrag.server.port must be in [0, 65535], got -1");
    }

    @Test
    void aNanAbstainThresholdIsRefused() {
        assertThatThrownBy(() -> ServerConfig.fromEnv(Map.of("DIFFRAG_SERVER_ABSTAIN_THRESHOLD", "NaN")))
                .hasMessageContaining("must be in [0, 1], got NaN");
    }

    @Test
    void aBlankTokenTurnsAuthenticationOff() {
        assertThat(ServerConfig.defaults().withToken("  ").token()).isNull();
    }

    @Test
    void aBodyLimitPastWhatOneArrayHoldsIsRefused() {
        // Long.MAX_VALUE overflowed "limit + 1" when a body was read, and every request got a 500.
        assertThatThrownBy(() -> ServerConfig.fromEnv(
                Map.of("DIFFRAG_SERVER_MAX_BODY_BYTES", Long.toString(Long.MAX_VALUE))))
                .hasMessageContaining("DIFFRAG_SERVER_MAX_BODY_BYTES must be at most 2147483645");
    }
}
