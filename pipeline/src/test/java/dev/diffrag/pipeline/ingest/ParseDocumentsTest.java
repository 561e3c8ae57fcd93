package dev.diffrag.pipeline.ingest;

import static dev.diffrag.pipeline.ingest.RawRecords.bytes;
import static dev.diffrag.pipeline.ingest.RawRecords.document;
import static dev.diffrag.pipeline.ingest.RawRecords.raw;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.diffrag.connectors.kafka.RawRecord;
import dev.diffrag.connectors.records.DeadLetterRecord;
import dev.diffrag.connectors.records.DocumentOp;
import dev.diffrag.connectors.records.DocumentRecord;
import dev.diffrag.connectors.records.RecordKeys;
import java.util.List;
import java.util.stream.Stream;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ParseDocumentsTest {

    private static final int MAX_CHARS = 1_000;

    private OneInputStreamOperatorTestHarness<RawRecord, DocumentChange> harness;

    @BeforeEach
    void open() throws Exception {
        harness = ProcessFunctionTestHarnesses.forProcessFunction(new ParseDocuments(200, 40, MAX_CHARS));
    }

    @AfterEach
    void close() throws Exception {
        harness.close();
    }

    @Test
    void anUpsertBecomesChunksOfTheVersionGivenByTheOffset() throws Exception {
        String text = "First paragraph about rivers. ".repeat(10) + "\n\n" + "Second paragraph about hills. ".repeat(10);
        harness.processElement(document(42, new DocumentRecord(
                "acme", "doc-1", DocumentOp.UPSERT, "Title", text, null, 7_000L, null)), 0);

        DocumentChange change = single(harness.extractOutputValues());
        assertThat(change.key()).isEqualTo("acme/doc-1");
        assertThat(change.docVersion()).isEqualTo(42);
        assertThat(change.op()).isEqualTo(DocumentOp.UPSERT);
        assertThat(change.producedAtMs()).isEqualTo(7_000L);
        assertThat(change.chunks()).hasSizeGreaterThan(1).allSatisfy(chunk -> {
            assertThat(chunk.text()).isEqualTo(text.substring(chunk.start(), chunk.end()));
            assertThat(chunk.docId()).isEqualTo("doc-1");
            assertThat(chunk.docVersion()).isEqualTo(42);
            assertThat(chunk.embedding()).isNull();
        });
        assertThat(change.chunks()).extracting(Chunk::chunkId).startsWith("acme/doc-1@42#0", "acme/doc-1@42#1");
        assertThat(harness.getSideOutput(DeadLetters.TAG)).isNull();
    }

    @Test
    void aDeleteNeedsNoTextAndFallsBackToTheKafkaTimestamp() throws Exception {
        harness.processElement(raw("documents", 9, "acme/doc-1", "{\"tenant\":\"acme\",\"id\":\"doc-1\",\"op\":\"delete\"}"), 0);

        DocumentChange change = single(harness.extractOutputValues());
        assertThat(change.op()).isEqualTo(DocumentOp.DELETE);
        assertThat(change.docVersion()).isEqualTo(9);
        assertThat(change.chunks()).isEmpty();
        assertThat(change.producedAtMs()).isEqualTo(RawRecords.KAFKA_TIMESTAMP);
    }

    static Stream<Arguments> malformed() {
        String ok = "\"tenant\":\"acme\",\"id\":\"d\",\"op\":\"upsert\"";
        return Stream.of(
                Arguments.of("not JSON", raw("documents", 1, null, "tenant=acme"), "invalid JSON"),
                Arguments.of("truncated JSON", raw("documents", 1, "acme/d", "{" + ok + ",\"text\":\"a"), "invalid JSON"),
                Arguments.of("trailing content", raw("documents", 1, "acme/d", "{" + ok + ",\"text\":\"a\"} {}"), "invalid JSON"),
                Arguments.of("a JSON array", raw("documents", 1, null, "[1, 2]"), "invalid JSON"),
                Arguments.of("JSON null", raw("documents", 1, null, "null"), "payload is JSON null"),
                Arguments.of("tombstone", raw("documents", 1, "acme/d", null), "no payload"),
                Arguments.of("invalid UTF-8", bytes("documents", 1, null, invalidUtf8("{" + ok + ",\"text\":\"")), "invalid UTF-8"),
                Arguments.of("missing tenant", raw("documents", 1, null, "{\"id\":\"d\",\"op\":\"upsert\",\"text\":\"t\"}"), "missing field 'tenant'"),
                Arguments.of("tenant with slash", raw("documents", 1, null, "{\"tenant\":\"a/b\",\"id\":\"d\",\"op\":\"upsert\",\"text\":\"t\"}"), "'tenant' must not contain '/'"),
                Arguments.of("blank id", raw("documents", 1, null, "{\"tenant\":\"acme\",\"id\":\" \",\"op\":\"upsert\",\"text\":\"t\"}"), "blank field 'id'"),
                Arguments.of("missing op", raw("documents", 1, null, "{\"tenant\":\"acme\",\"id\":\"d\",\"text\":\"t\"}"), "missing field 'op'"),
                Arguments.of("unknown op", raw("documents", 1, null, "{\"tenant\":\"acme\",\"id\":\"d\",\"op\":\"patch\",\"text\":\"t\"}"), "unknown op 'patch'"),
                Arguments.of("missing text", raw("documents", 1, "acme/d", "{" + ok + "}"), "missing field 'text'"),
                Arguments.of("empty text", raw("documents", 1, "acme/d", "{" + ok + ",\"text\":\"\"}"), "blank field 'text'"),
                Arguments.of("blank text", raw("documents", 1, "acme/d", "{" + ok + ",\"text\":\" \\n\\t \"}"), "blank field 'text'"),
                Arguments.of("text of control characters only", raw("documents", 1, "acme/d", "{" + ok + ",\"text\":\"\\u0001\\u0002\"}"), "field 'text' has no character the embedder reads"),
                Arguments.of("text of no-break spaces only", raw("documents", 1, "acme/d", "{" + ok + ",\"text\":\"\\u00a0\\u2007\"}"), "field 'text' has no character the embedder reads"),
                Arguments.of("text of zero-width spaces, bullet glyphs and lone marks", raw("documents", 1, "acme/d", "{" + ok + ",\"text\":\"\\u200b \\uf0b7\\u0301 \\ufffd\"}"), "field 'text' has no character the embedder reads"),
                Arguments.of("text over the limit", raw("documents", 1, "acme/d", "{" + ok + ",\"text\":\"" + "x".repeat(MAX_CHARS + 1) + "\"}"), "over the limit of " + MAX_CHARS),
                Arguments.of("text of the wrong type", raw("documents", 1, "acme/d", "{" + ok + ",\"text\":5}"), "invalid JSON in field 'text'"),
                // named by its whole path: "in field 'year'" sent readers looking for a top-level field
                Arguments.of("metadata of a number", raw("documents", 1, "acme/d", "{" + ok + ",\"text\":\"t\",\"metadata\":{\"year\":2020}}"), "invalid JSON in field 'metadata.year'"),
                Arguments.of("ts of the wrong type", raw("documents", 1, "acme/d", "{" + ok + ",\"text\":\"t\",\"ts\":\"noon\"}"), "invalid JSON in field 'ts'"),
                Arguments.of("ts before 1970", raw("documents", 1, "acme/d", "{" + ok + ",\"text\":\"t\",\"ts\":" + Long.MIN_VALUE + "}"), "field 'ts' is " + Long.MIN_VALUE + ", before 1970"),
                Arguments.of("ts in microseconds", raw("documents", 1, "acme/d", "{" + ok + ",\"text\":\"t\",\"ts\":" + System.currentTimeMillis() * 1000 + "}"), "over a day ahead of this job's clock"),
                Arguments.of("topic too long for a digest key", raw("documents", 1, "acme/d", "{" + ok + ",\"text\":\"t\",\"metadata\":{\"topic\":\"" + "x".repeat(RecordKeys.MAX_CHARS + 1) + "\"}}"), "field 'metadata.topic' has " + (RecordKeys.MAX_CHARS + 1) + " characters"),
                // part of the digest's key, where UTF-8 writes it as '?': topics a\ud800 and a\udc00 shared one digest key
                Arguments.of("topic with an unpaired surrogate", raw("documents", 1, "acme/d", "{" + ok + ",\"text\":\"t\",\"metadata\":{\"topic\":\"a\\ud800\"}}"), "field 'metadata.topic' has an unpaired surrogate (U+D800 at index 1)"),
                Arguments.of("key not tenant/id", raw("documents", 1, "acme/other", "{" + ok + ",\"text\":\"t\"}"), "is not tenant/id 'acme/d'"),
                Arguments.of("no key", raw("documents", 1, null, "{" + ok + ",\"text\":\"t\"}"), "record has no key"),
                Arguments.of("key too long for the index", raw("documents", 1, "acme/" + "x".repeat(33_000),
                        "{\"tenant\":\"acme\",\"id\":\"" + "x".repeat(33_000) + "\",\"op\":\"upsert\",\"text\":\"t\"}"),
                        "over the limit of 1024"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformed")
    void malformedRecordsGoToTheDeadLettersWithTheReason(String kind, RawRecord raw, String reason) throws Exception {
        harness.processElement(raw, 0);

        assertThat(harness.extractOutputValues()).isEmpty();
        DeadLetterRecord dead = single(harness.getSideOutput(DeadLetters.TAG).stream().map(StreamRecord::getValue).toList());
        assertThat(dead.error()).contains(reason);
        assertThat(dead.sourceTopic()).isEqualTo("documents");
        assertThat(dead.offset()).isEqualTo(1);
        assertThat(dead.raw()).isEqualTo(raw.valueAsText());
    }

    @Test
    void aProducerTimeAheadOfTheClockWithinADayIsTakenAsNow() throws Exception {
        long ahead = System.currentTimeMillis() + 3_600_000;
        harness.processElement(document(1, new DocumentRecord(
                "acme", "d", DocumentOp.UPSERT, null, "Text.", null, ahead, null)), 0);

        long producedAt = single(harness.extractOutputValues()).producedAtMs();
        assertThat(producedAt).isLessThan(ahead).isCloseTo(System.currentTimeMillis(), within(60_000L));
    }

    @Test
    void theSourcesEventTimeIsTheProducerTimeValidationTakes() throws Exception {
        String fields = "\"tenant\":\"acme\",\"id\":\"d\",\"op\":\"upsert\",\"text\":\"t\"";
        RawRecord withTs = raw("documents", 1, "acme/d",
                "{\"metadata\":{\"ts\":\"5\"}," + fields + ",\"ts\":7000,\"title\":null}");
        RawRecord withoutTs = raw("documents", 2, "acme/d", "{" + fields + ",\"metadata\":{\"ts\":\"5\"}}");
        for (RawRecord raw : List.of(withTs, withoutTs)) {
            assertThat(ParseDocuments.eventTime(raw)).isEqualTo(ParseDocuments.validate(raw, MAX_CHARS).producedAtMs());
        }
        assertThat(ParseDocuments.eventTime(withTs)).isEqualTo(7_000);
        assertThat(ParseDocuments.eventTime(withoutTs)).isEqualTo(RawRecords.KAFKA_TIMESTAMP);
        // what validation rejects has no event time
        assertThat(ParseDocuments.eventTime(raw("documents", 3, "acme/d", "{" + fields + ",\"ts\":-5}")))
                .isEqualTo(Long.MIN_VALUE);
        assertThat(ParseDocuments.eventTime(raw("documents", 4, "acme/d", "{oops"))).isEqualTo(Long.MIN_VALUE);
        assertThat(ParseDocuments.eventTime(raw("documents", 4, "acme/d", "[{" + fields + "}]"))).isEqualTo(Long.MIN_VALUE);
        assertThat(ParseDocuments.eventTime(raw("documents", 4, "acme/d", "null"))).isEqualTo(Long.MIN_VALUE);
        assertThat(ParseDocuments.eventTime(raw("documents", 5, "acme/d", null))).isEqualTo(Long.MIN_VALUE);
    }

    @Test
    void aTsThatValidationRejectsForItsTypeGivesNoEventTime() throws Exception {
        // A float or a string 'ts' is dead-lettered, but its float value (or else the Kafka timestamp) was taken as the
        // record's event time and moved its partition's watermark.
        String fields = "\"tenant\":\"acme\",\"id\":\"d\",\"op\":\"upsert\",\"text\":\"t\"";
        for (String ts : List.of("7000.5", "7.0e3", "\"7000\"", "true", "[7000]", "{}")) {
            RawRecord raw = raw("documents", 1, "acme/d", "{" + fields + ",\"ts\":" + ts + "}");

            assertThatThrownBy(() -> ParseDocuments.validate(raw, MAX_CHARS))
                    .isInstanceOf(DeadLetters.MalformedRecordException.class);
            assertThat(ParseDocuments.eventTime(raw)).as("ts %s", ts).isEqualTo(Long.MIN_VALUE);
        }
        // an explicit null counts as absent, for both
        RawRecord nullTs = raw("documents", 2, "acme/d", "{" + fields + ",\"ts\":null}");
        assertThat(ParseDocuments.eventTime(nullTs)).isEqualTo(ParseDocuments.validate(nullTs, MAX_CHARS).producedAtMs())
                .isEqualTo(RawRecords.KAFKA_TIMESTAMP);
    }

    @Test
    void validRecordsAroundAMalformedOneAreStillParsed() throws Exception {
        harness.processElement(document(1, DocumentRecord.upsert("acme", "a", "A", "Alpha text.")), 0);
        harness.processElement(raw("documents", 2, null, "{oops"), 0);
        harness.processElement(document(3, DocumentRecord.upsert("acme", "b", "B", "Beta text.")), 0);

        assertThat(harness.extractOutputValues()).extracting(DocumentChange::docId).containsExactly("a", "b");
        assertThat(harness.getSideOutput(DeadLetters.TAG)).hasSize(1);
    }

    @Test
    void aKeyOfExactlyTheLimitIsAccepted() throws Exception {
        String id = "x".repeat(RecordKeys.MAX_CHARS - "acme/".length());
        harness.processElement(document(1, DocumentRecord.upsert("acme", id, "T", "Text.")), 0);

        assertThat(single(harness.extractOutputValues()).key()).hasSize(RecordKeys.MAX_CHARS);
    }

    @Test
    void validationItselfRejectsTextWithoutVisibleCharacters() {
        // The summaries branch calls validate() and never chunks: the check must not rely on the chunker failing.
        RawRecord raw = raw("documents", 1, "acme/d",
                "{\"tenant\":\"acme\",\"id\":\"d\",\"op\":\"upsert\",\"text\":\"\\u0001\\u00a0\"}");

        assertThatThrownBy(() -> ParseDocuments.validate(raw, MAX_CHARS))
                .isInstanceOf(DeadLetters.MalformedRecordException.class)
                .hasMessageContaining("field 'text' has no character the embedder reads");
    }

    /** {@code prefix}, then a lone continuation byte (never valid UTF-8), then the rest of a valid document. */
    private static byte[] invalidUtf8(String prefix) {
        byte[] head = prefix.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        byte[] tail = "x\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        byte[] all = new byte[head.length + 1 + tail.length];
        System.arraycopy(head, 0, all, 0, head.length);
        all[head.length] = (byte) 0x80;
        System.arraycopy(tail, 0, all, head.length + 1, tail.length);
        return all;
    }

    private static <T> T single(List<T> values) {
        assertThat(values).hasSize(1);
        return values.get(0);
    }
}
