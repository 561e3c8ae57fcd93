package dev.diffrag.connectors.records;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.diffrag.connectors.Json;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;

class SummaryRecordJsonTest {

    @Test
    void documentSummaryRoundTripAndWireFormat() throws IOException {
        SummaryRecord summary = SummaryRecord.document("acme", "a", 7, List.of(
                new SummaryRecord.Sentence("It rained.", 0, 10, null, null)), "diff-v1-salience", 35);

        JsonNode json = Json.MAPPER.readTree(Json.toBytes(summary));

        assertThat(Json.read(Json.toBytes(summary), SummaryRecord.class)).isEqualTo(summary);
        assertThat(json.get("kind").asText()).isEqualTo("document");
        assertThat(json.fieldNames()).toIterable().containsExactlyInAnyOrder("tenant", "docId", "docVersion", "kind",
                "sentences", "model", "latencyMs");
        assertThat(json.get("sentences").get(0).fieldNames()).toIterable().containsExactly("text", "start", "end");
        assertThat(summary.key()).isEqualTo("acme/document/a");
    }

    @Test
    void deleteSupersedesUnderTheSameKey() throws IOException {
        SummaryRecord deleted = SummaryRecord.deleted("acme", "a", 9, "diff-v1-salience", 3);
        assertThat(Json.read(Json.toBytes(deleted), SummaryRecord.class)).isEqualTo(deleted);
        assertThat(deleted.key()).isEqualTo("acme/document/a");
        assertThat(deleted.deleted()).isTrue();
        assertThat(deleted.sentences()).isEmpty();
    }

    @Test
    void digestCitesDocumentsAndHasItsWindow() throws IOException {
        SummaryRecord digest = SummaryRecord.digest("acme", "sport", new SummaryRecord.Window(60_000, 120_000),
                List.of(new SummaryRecord.Sentence("Goal.", 4, 9, "b", 12L)), "lead-3");

        JsonNode json = Json.MAPPER.readTree(Json.toBytes(digest));

        assertThat(Json.read(Json.toBytes(digest), SummaryRecord.class)).isEqualTo(digest);
        assertThat(json.get("kind").asText()).isEqualTo("digest");
        assertThat(json.get("window").get("start").asLong()).isEqualTo(60_000);
        assertThat(json.get("sentences").get(0).get("docId").asText()).isEqualTo("b");
        assertThat(json.has("docId")).isFalse();
        assertThat(digest.key()).isEqualTo("acme/digest/sport/60000");
    }

    @Test
    void aDocumentWhoseIdLooksLikeADigestKeyKeepsItsOwnKey() {
        SummaryRecord digest = SummaryRecord.digest("acme", "sport", new SummaryRecord.Window(60_000, 120_000),
                List.of(), "lead-3");
        SummaryRecord document = SummaryRecord.document("acme", "digest/sport/60000", 1, List.of(), "lead-3", 0);
        assertThat(document.key()).isNotEqualTo(digest.key());
    }
}
