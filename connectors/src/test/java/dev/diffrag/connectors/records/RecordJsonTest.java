package dev.diffrag.connectors.records;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.diffrag.connectors.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RecordJsonTest {

    @Test
    void documentRoundTripKeepsEveryFieldAndSpellsOpInLowerCase() throws IOException {
        DocumentRecord document = new DocumentRecord("acme", "guides/setup.md", DocumentOp.UPSERT, "Setup", "Install it.",
                "/docs/guides/setup.md", 1_700_000_000_000L, Map.of("format", "markdown"));

        byte[] json = Json.toBytes(document);

        assertThat(Json.read(json, DocumentRecord.class)).isEqualTo(document);
        assertThat(Json.MAPPER.readTree(json).get("op").asText()).isEqualTo("upsert");
    }

    @Test
    void deleteOmitsAbsentFields() throws IOException {
        DocumentRecord delete = new DocumentRecord("acme", "a", DocumentOp.DELETE, null, null, null, 5L, null);

        JsonNode json = Json.MAPPER.readTree(Json.toBytes(delete));

        assertThat(json.fieldNames()).toIterable().containsExactlyInAnyOrder("tenant", "id", "op", "ts");
        assertThat(Json.read(Json.toBytes(delete), DocumentRecord.class)).isEqualTo(delete);
    }

    @Test
    void questionAnswerAndDeadLetterRoundTrip() throws IOException {
        QuestionRecord question = new QuestionRecord("acme", "q1", "Who wrote it?", 5, 42L);
        AnswerRecord answer = new AnswerRecord("acme", "q1", "Who wrote it?", "Mary Shelley", false, 0.91,
                List.of(new Citation("frankenstein.txt", 3, "frankenstein.txt#2", 120, 132, "Mary Shelley")),
                List.of(new RetrievedChunk("frankenstein.txt#2", 0.033)), "baseline-sentence", 417);
        AnswerRecord abstained = new AnswerRecord("acme", "q2", "Why?", null, true, 0.12, List.of(), List.of(),
                "baseline-sentence", 80);
        DeadLetterRecord deadLetter = new DeadLetterRecord("documents", 1, 77, "acme/x", "unknown op 'merge'", "{\"op\":\"merge\"}");

        assertThat(Json.read(Json.toBytes(question), QuestionRecord.class)).isEqualTo(question);
        assertThat(Json.read(Json.toBytes(answer), AnswerRecord.class)).isEqualTo(answer);
        assertThat(Json.read(Json.toBytes(abstained), AnswerRecord.class)).isEqualTo(abstained);
        assertThat(Json.read(Json.toBytes(deadLetter), DeadLetterRecord.class)).isEqualTo(deadLetter);
        assertThat(Json.MAPPER.readTree(Json.toBytes(abstained)).get("answer").isNull()).isTrue();
        assertThat(answer.key()).as("keyed like its question")
                .isEqualTo(new QuestionRecord("acme", "q1", "Who wrote it?", null, null).key());
        assertThat(Json.MAPPER.readTree(Json.toBytes(answer)).has("key")).as("the key is not a field").isFalse();
    }

    @Test
    void readsTheDocumentedWireFormatAndIgnoresUnknownFields() throws IOException {
        String wire = """
                {"tenant":"acme","id":"q7","question":"What is HNSW?","topK":3,"ts":1,"traceId":"abc"}""";

        QuestionRecord question = Json.read(bytes(wire), QuestionRecord.class);

        assertThat(question).isEqualTo(new QuestionRecord("acme", "q7", "What is HNSW?", 3, 1L));
        assertThat(question.key()).isEqualTo("acme/q7");
    }

    @Test
    void aFieldGivenTwiceIsAnError() {
        assertThatThrownBy(() -> Json.read(bytes("{\"tenant\":\"a\",\"tenant\":\"b\",\"id\":\"q\",\"question\":\"x\"}"),
                QuestionRecord.class))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("Duplicate field 'tenant'");
    }

    @Test
    void wrongTypeIsAnError() {
        assertThatThrownBy(() -> Json.read(bytes("{\"tenant\":\"a\",\"id\":\"q\",\"question\":\"x\",\"topK\":\"five\"}"),
                QuestionRecord.class))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("topK");
        // No coercion of scalars: a number in a string is still the wrong type.
        assertThatThrownBy(() -> Json.read(bytes("{\"tenant\":\"a\",\"id\":\"q\",\"question\":\"x\",\"topK\":\"5\"}"),
                QuestionRecord.class))
                .isInstanceOf(IOException.class);
        // Nor is a fraction cut to a whole number.
        assertThatThrownBy(() -> Json.read(bytes("{\"tenant\":\"a\",\"id\":\"q\",\"question\":\"x\",\"topK\":5.9}"),
                QuestionRecord.class))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("topK");
        assertThatThrownBy(() -> Json.read(bytes(answerJson("\"abstained\":\"yes\",\"confidence\":0.5")), AnswerRecord.class))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("abstained");
    }

    @Test
    void unknownOpIsAnErrorThatNamesTheOpAndTheAcceptedOnes() {
        String wire = "{\"tenant\":\"a\",\"id\":\"d\",\"op\":\"merge\",\"title\":\"t\",\"text\":\"x\"}";

        assertThatThrownBy(() -> Json.read(bytes(wire), DocumentRecord.class))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("unknown op 'merge' (expected upsert or delete)");
    }

    @Test
    void nullForAPrimitiveIsAnError() {
        assertThatThrownBy(() -> Json.read(bytes(answerJson("\"abstained\":false,\"confidence\":null")), AnswerRecord.class))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("confidence");
    }

    @Test
    void aNumberOrBooleanWhereTextBelongsIsAnError() {
        assertThatThrownBy(() -> Json.read(bytes("{\"tenant\":\"a\",\"id\":\"d\",\"op\":\"upsert\",\"text\":5}"),
                DocumentRecord.class))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("text");
        assertThatThrownBy(() -> Json.read(bytes("{\"tenant\":true,\"id\":\"q\",\"question\":\"x\"}"), QuestionRecord.class))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("tenant");
    }

    @Test
    void malformedJsonIsAnError() {
        assertThatThrownBy(() -> Json.read(bytes("{\"tenant\":"), DocumentRecord.class)).isInstanceOf(IOException.class);
        assertThatThrownBy(() -> Json.read(bytes("{\"tenant\":\"a\",\"id\":\"q\",\"question\":\"x\"} {}"),
                QuestionRecord.class))
                .isInstanceOf(IOException.class);
    }

    private static String answerJson(String flags) {
        return "{\"tenant\":\"a\",\"id\":\"q\",\"question\":\"x\",\"answer\":null," + flags
                + ",\"citations\":[],\"retrieved\":[],\"model\":\"m\",\"latencyMs\":1}";
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
