package dev.diffrag.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeType;
import java.io.IOException;
import org.junit.jupiter.api.Test;

class JsonFieldsTest {

    private static JsonNode json(String text) throws IOException {
        return new ObjectMapper().readTree(text);
    }

    @Test
    void readsAFieldOfTheRightType() throws IOException {
        JsonNode ctx = json("{\"text\":\"Paris\",\"answers\":[\"a\"]}");

        assertThat(JsonFields.text(ctx, "text", "nq.jsonl line 3", "ctxs[0]")).isEqualTo("Paris");
        assertThat(JsonFields.get(ctx, "answers", JsonNodeType.ARRAY, "nq.jsonl line 3", "")).hasSize(1);
        assertThat(JsonFields.text(ctx.get("answers").get(0), "nq.jsonl line 3", "answers[0]")).isEqualTo("a");
    }

    @Test
    void aMissingOrNullFieldIsNamedWithItsRecordAndPath() throws IOException {
        JsonNode ctx = json("{\"title\":null}");

        assertThatThrownBy(() -> JsonFields.text(ctx, "text", "nq.jsonl line 12", "ctxs[0]"))
                .isInstanceOf(IOException.class).hasMessage("nq.jsonl line 12: ctxs[0].text is missing");
        assertThatThrownBy(() -> JsonFields.text(ctx, "title", "nq.jsonl line 12", ""))
                .isInstanceOf(IOException.class).hasMessage("nq.jsonl line 12: title is missing");
    }

    @Test
    void aFieldOfTheWrongTypeSaysWhatItShouldBe() throws IOException {
        JsonNode record = json("{\"question\":7,\"ctxs\":{}}");

        assertThatThrownBy(() -> JsonFields.text(record, "question", "f line 1", ""))
                .isInstanceOf(IOException.class).hasMessage("f line 1: question should be a string, not a number");
        assertThatThrownBy(() -> JsonFields.get(record, "ctxs", JsonNodeType.ARRAY, "f line 1", ""))
                .isInstanceOf(IOException.class).hasMessage("f line 1: ctxs should be an array, not an object");
    }
}
