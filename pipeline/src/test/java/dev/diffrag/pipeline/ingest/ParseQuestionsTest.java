package dev.diffrag.pipeline.ingest;

import static dev.diffrag.pipeline.ingest.RawRecords.question;
import static dev.diffrag.pipeline.ingest.RawRecords.raw;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.diffrag.connectors.kafka.RawRecord;
import dev.diffrag.connectors.records.DeadLetterRecord;
import dev.diffrag.connectors.records.QuestionRecord;
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

class ParseQuestionsTest {

    private static final int MAX_CHARS = 50;
    private static final int DEFAULT_TOP_K = 4;

    private OneInputStreamOperatorTestHarness<RawRecord, ValidQuestion> harness;

    @BeforeEach
    void open() throws Exception {
        harness = ProcessFunctionTestHarnesses.forProcessFunction(new ParseQuestions(MAX_CHARS, DEFAULT_TOP_K));
    }

    @AfterEach
    void close() throws Exception {
        harness.close();
    }

    @Test
    void aQuestionWithoutTopKGetsTheDefault() throws Exception {
        long before = System.currentTimeMillis();
        harness.processElement(question(3, QuestionRecord.of("acme", "q1", "What is Flink?")), 0);

        List<ValidQuestion> out = harness.extractOutputValues();
        assertThat(out).hasSize(1);
        assertThat(out.get(0).question().question()).isEqualTo("What is Flink?");
        assertThat(out.get(0).topK()).isEqualTo(DEFAULT_TOP_K);
        assertThat(out.get(0).receivedMs()).isGreaterThanOrEqualTo(before);
    }

    @Test
    void aQuestionsOwnTopKWins() throws Exception {
        harness.processElement(question(3, new QuestionRecord("acme", "q1", "What is Flink?", 9, null)), 0);

        assertThat(harness.extractOutputValues()).extracting(ValidQuestion::topK).containsExactly(9);
    }

    @Test
    void aProducerTimeAheadOfTheJobsClockIsAccepted() throws Exception {
        // Its answer's latency is counted from when the job read it (AnswerRecords.latencyMs).
        long aYearAhead = System.currentTimeMillis() + 365L * 24 * 60 * 60 * 1000;
        harness.processElement(question(3, new QuestionRecord("acme", "q1", "Why?", null, aYearAhead)), 0);

        assertThat(harness.extractOutputValues()).hasSize(1);
    }

    @Test
    void aTopKOfExactlyTheMaximumIsAccepted() throws Exception {
        int max = ParseQuestions.MAX_TOP_K;
        harness.processElement(question(3, new QuestionRecord("acme", "q1", "Why?", max, null)), 0);

        assertThat(harness.extractOutputValues()).extracting(ValidQuestion::topK).containsExactly(max);
    }

    @Test
    void aDefaultTopKOutOfRangeIsAConfigurationError() {
        assertThatThrownBy(() -> new ParseQuestions(MAX_CHARS, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ParseQuestions(MAX_CHARS, ParseQuestions.MAX_TOP_K + 1))
                .isInstanceOf(IllegalArgumentException.class);
    }

    static Stream<Arguments> malformed() {
        return Stream.of(
                Arguments.of("not JSON", "what is flink?", "invalid JSON"),
                Arguments.of("missing tenant", "{\"id\":\"q\",\"question\":\"why?\"}", "missing field 'tenant'"),
                // "a/b" + "q" would share the merge key a/b/q with tenant "a", question "b/q"
                Arguments.of("tenant with slash", "{\"tenant\":\"a/b\",\"id\":\"q\",\"question\":\"why?\"}", "'tenant' must not contain '/'"),
                Arguments.of("missing id", "{\"tenant\":\"acme\",\"question\":\"why?\"}", "missing field 'id'"),
                Arguments.of("missing question", "{\"tenant\":\"acme\",\"id\":\"q\"}", "missing field 'question'"),
                Arguments.of("empty question", "{\"tenant\":\"acme\",\"id\":\"q\",\"question\":\"\"}", "blank field 'question'"),
                Arguments.of("question over the limit", "{\"tenant\":\"acme\",\"id\":\"q\",\"question\":\"" + "w".repeat(MAX_CHARS + 1) + "\"}", "over the limit of " + MAX_CHARS),
                Arguments.of("topK zero", "{\"tenant\":\"acme\",\"id\":\"q\",\"question\":\"why?\",\"topK\":0}", "'topK' must be in 1..100"),
                Arguments.of("topK too large", "{\"tenant\":\"acme\",\"id\":\"q\",\"question\":\"why?\",\"topK\":101}", "'topK' must be in 1..100"),
                Arguments.of("topK of the wrong type", "{\"tenant\":\"acme\",\"id\":\"q\",\"question\":\"why?\",\"topK\":\"five\"}", "invalid JSON in field 'topK'"),
                Arguments.of("id too long for an answer's key", "{\"tenant\":\"acme\",\"id\":\"" + "q".repeat(2_000) + "\",\"question\":\"why?\"}", "tenant/id has 2005 characters, over the limit of 1024"),
                Arguments.of("question of a zero-width space and a bullet glyph", "{\"tenant\":\"acme\",\"id\":\"q\",\"question\":\"\\u200b\\uf0b7\"}", "field 'question' has no character the embedder reads"),
                // Kafka keys are UTF-8, which has no unpaired surrogate: ids q\ud800 and q\udc00 both made the answer
                // key acme/q?, so consumers deduplicating by key dropped one of the two answers.
                Arguments.of("id with an unpaired surrogate", "{\"tenant\":\"acme\",\"id\":\"q\\ud800\",\"question\":\"why?\"}", "field 'id' has an unpaired surrogate (U+D800 at index 1)"),
                Arguments.of("tenant with an unpaired surrogate", "{\"tenant\":\"\\udc00acme\",\"id\":\"q\",\"question\":\"why?\"}", "field 'tenant' has an unpaired surrogate (U+DC00 at index 0)"),
                // Answers count their latency from ts: -1 made it 56 years, in the answer and in questionLatencyMs.
                Arguments.of("producer time before 1970", "{\"tenant\":\"acme\",\"id\":\"q\",\"question\":\"why?\",\"ts\":-1}", "field 'ts' is -1, before 1970"),
                Arguments.of("question of the wrong type", "{\"tenant\":\"acme\",\"id\":\"q\",\"question\":[\"why?\"]}", "invalid JSON in field 'question'"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformed")
    void malformedQuestionsGoToTheDeadLettersWithTheReason(String kind, String payload, String reason)
            throws Exception {
        harness.processElement(raw("questions", 5, null, payload), 0);

        assertThat(harness.extractOutputValues()).isEmpty();
        List<DeadLetterRecord> dead =
                harness.getSideOutput(DeadLetters.TAG).stream().map(StreamRecord::getValue).toList();
        assertThat(dead).singleElement().satisfies(d -> {
            assertThat(d.error()).contains(reason);
            assertThat(d.sourceTopic()).isEqualTo("questions");
            assertThat(d.offset()).isEqualTo(5);
            assertThat(d.raw()).isEqualTo(payload);
        });
    }
}
