package dev.diffrag.pipeline.ingest;

import static dev.diffrag.pipeline.ingest.RawRecords.bytes;
import static dev.diffrag.pipeline.ingest.RawRecords.raw;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.diffrag.connectors.Json;
import dev.diffrag.connectors.records.DeadLetterRecord;
import dev.diffrag.connectors.records.RecordKeys;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class DeadLettersTest {

    /** Kafka's default {@code max.request.size} and the broker's record limit. */
    private static final int KAFKA_RECORD_LIMIT = 1_048_576;

    @Test
    void aSmallPayloadIsKeptWhole() {
        DeadLetterRecord dead = DeadLetters.of(raw("documents", 7, "t/d", "{\"tenant\":"), "invalid JSON");

        assertThat(dead.raw()).isEqualTo("{\"tenant\":");
        assertThat(dead.error()).isEqualTo("invalid JSON");
        assertThat(dead.offset()).isEqualTo(7);
        assertThat(dead.key()).isEqualTo("t/d");
    }

    @Test
    void theDeadLetterOfANearlyOneMegabyteRandomPayloadFitsInAKafkaRecord() {
        byte[] noise = new byte[900_000];
        new Random(3).nextBytes(noise);
        String whole = bytes("documents", 1, "t/d", noise).valueAsText();

        DeadLetterRecord dead = DeadLetters.of(bytes("documents", 1, "t/d", noise), "invalid UTF-8 near byte 0");

        assertThat(Json.toBytes(new DeadLetterRecord("documents", 0, 1, "t/d", "e", whole)).length)
                .as("uncut, the dead letter would not fit").isGreaterThan(KAFKA_RECORD_LIMIT);
        assertThat(Json.toBytes(dead).length).isLessThan(KAFKA_RECORD_LIMIT / 2);
        assertThat(whole).startsWith(dead.raw());
        assertThat(dead.raw()).hasSizeBetween(DeadLetters.MAX_RAW_CHARS - 1, DeadLetters.MAX_RAW_CHARS);
        assertThat(dead.error()).startsWith("invalid UTF-8 near byte 0").contains("cut to its first");
    }

    @Test
    void aHugeKeyAndAnErrorQuotingItAreCutSoTheDeadLetterFitsInAKafkaRecord() {
        String key = "t/" + "k".repeat(400_000);
        String payload = "{\"tenant\":\"t\",\"id\":\"" + "i".repeat(500_000) + "\",\"op\":\"delete\"}";
        String error = "record key '" + key + "' is not tenant/id 't/" + "i".repeat(500_000) + "'";

        DeadLetterRecord dead = DeadLetters.of(raw("documents", 3, key, payload), error);

        assertThat(Json.toBytes(dead).length + dead.key().length()).isLessThan(KAFKA_RECORD_LIMIT / 2);
        assertThat(key).startsWith(dead.key());
        assertThat(dead.error()).startsWith("record key 't/kkk").contains("…").contains("raw payload cut to its first");
    }

    @Test
    void aPayloadKeyAndErrorExactlyAtTheirLimitsAreKeptWhole() {
        String payload = "p".repeat(DeadLetters.MAX_RAW_CHARS);
        String key = "t/" + "k".repeat(RecordKeys.MAX_CHARS - 2);
        String error = "e".repeat(DeadLetters.MAX_ERROR_CHARS);

        DeadLetterRecord dead = DeadLetters.of(raw("documents", 4, key, payload), error);

        assertThat(dead.raw()).isEqualTo(payload);
        assertThat(dead.key()).isEqualTo(key);
        assertThat(dead.error()).isEqualTo(error);
    }

    @Test
    void aFieldExactlyAtItsLimitIsTakenAndOneCharacterMoreIsNot() throws Exception {
        DeadLetters.requireAtMost("x".repeat(10), "text", 10);

        assertThatThrownBy(() -> DeadLetters.requireAtMost("x".repeat(11), "text", 10))
                .isInstanceOf(DeadLetters.MalformedRecordException.class)
                .hasMessage("field 'text' has 11 characters, over the limit of 10");
    }

    @Test
    void aTenantWithASlashAnywhereIsRefusedEvenAtTheStart() {
        // "/acme" would make the keys "/acme/doc": tenant "" and id "acme/doc" to anything splitting at the first '/'
        for (String tenant : List.of("/acme", "ac/me", "acme/")) {
            assertThatThrownBy(() -> DeadLetters.requireTenant(tenant)).as(tenant)
                    .isInstanceOf(DeadLetters.MalformedRecordException.class)
                    .hasMessage("field 'tenant' must not contain '/'");
        }
    }

    @Test
    void aCutNeverSplitsASurrogatePair() {
        String text = "a".repeat(DeadLetters.MAX_RAW_CHARS - 1) + "\uD83D\uDE00" + "b".repeat(10);

        DeadLetterRecord dead = DeadLetters.of(raw("questions", 2, "t/q", text), "too long");

        assertThat(dead.raw()).isEqualTo("a".repeat(DeadLetters.MAX_RAW_CHARS - 1));
    }
}
