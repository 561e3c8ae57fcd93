package dev.diffrag.pipeline.summarize;

import static dev.diffrag.pipeline.summarize.SummarizeDocumentsTest.delete;
import static org.assertj.core.api.Assertions.assertThat;

import dev.diffrag.connectors.records.DocumentOp;
import dev.diffrag.pipeline.ReplayHorizon;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/** The keyed latest-version filter: the topic it remembers for deletes and topic changes. */
class LatestDocumentVersionsTest {

    private static DocumentVersion upsert(String id, long version, String topic, long ts) {
        return new DocumentVersion("acme", id, version, DocumentOp.UPSERT, "Text of " + id + ".", topic, ts);
    }

    private record Out(List<DocumentVersion> versions, List<DigestCandidate> removals) {}

    private static Out latest(DocumentVersion... versions) throws Exception {
        try (var harness = new KeyedOneInputStreamOperatorTestHarness<>(
                new KeyedProcessOperator<>(new LatestDocumentVersions()), DocumentVersion::key, Types.STRING)) {
            harness.open();
            for (DocumentVersion version : versions) {
                harness.processElement(version, version.producedAtMs());
            }
            var removals = harness.getSideOutput(LatestDocumentVersions.LEFT_TOPICS);
            return new Out(harness.extractOutputValues(),
                    removals == null ? List.of() : removals.stream().map(StreamRecord::getValue).toList());
        }
    }

    @Test
    void aDeleteWithoutMetadataGetsTheTopicOfTheVersionItDeletes() throws Exception {
        Out out = latest(upsert("s1", 1, "sport", 1_000), delete("acme", "s1", 2, 2_000));

        assertThat(out.versions()).extracting(DocumentVersion::op)
                .containsExactly(DocumentOp.UPSERT, DocumentOp.DELETE);
        assertThat(out.versions()).extracting(DocumentVersion::topic).containsExactly("sport", "sport");
        assertThat(out.removals()).isEmpty();
    }

    @Test
    void aVersionUnderAnotherTopicRemovesTheDocumentFromTheOldTopic() throws Exception {
        Out out = latest(
                upsert("m1", 1, "sport", 1_000),
                upsert("m1", 2, "sport", 2_000), // same topic: nothing to remove
                upsert("m1", 3, "markets", 3_000),
                upsert("m1", 4, null, 4_000), // no topic is a digest of its own
                upsert("m1", 3, "sport", 3_000)); // a stale replay changes nothing

        assertThat(out.versions()).extracting(DocumentVersion::version).containsExactly(1L, 2L, 3L, 4L);
        assertThat(out.removals()).containsExactly(
                new DigestCandidate("acme", "sport", "m1", 3, true, List.of(), 3_000),
                new DigestCandidate("acme", "markets", "m1", 4, true, List.of(), 4_000));
    }

    @Test
    void aDocumentWithoutATopicThatGetsOneLeavesTheDigestOfNoTopic() throws Exception {
        Out out = latest(upsert("n1", 1, null, 1_000), upsert("n1", 2, "sport", 2_000));

        assertThat(out.removals()).containsExactly(new DigestCandidate("acme", null, "n1", 2, true, List.of(), 2_000));
    }

    @Test
    void theSameVersionTwiceIsPassedOnOnce() throws Exception {
        Out out = latest(upsert("r1", 5, "sport", 1_000), upsert("r1", 5, "sport", 1_000));

        assertThat(out.versions()).hasSize(1); // a second summary of it would only repeat the first
    }

    @Test
    void anOlderVersionArrivingAfterADeleteDoesNotBringTheDocumentBack() throws Exception {
        Out out = latest(upsert("d1", 1, "sport", 1_000), delete("acme", "d1", 3, 3_000),
                upsert("d1", 2, "sport", 2_000));

        assertThat(out.versions()).extracting(DocumentVersion::version).containsExactly(1L, 3L);
    }

    @Test
    void aDeletesVersionIsForgottenAfterItsTimeToLive() throws Exception {
        try (var harness = new KeyedOneInputStreamOperatorTestHarness<>(
                new KeyedProcessOperator<>(new LatestDocumentVersions()), DocumentVersion::key, Types.STRING)) {
            harness.open();
            harness.setStateTtlProcessingTime(0);
            harness.processElement(upsert("d1", 1, "sport", 1_000), 1_000);
            harness.processElement(delete("acme", "d1", 3, 3_000), 3_000);
            harness.processElement(upsert("d1", 2, "sport", 2_000), 2_000);
            harness.setStateTtlProcessingTime(ReplayHorizon.TTL.toMillis() + 1);
            harness.processElement(upsert("d1", 2, "sport", 2_000), 2_000);

            assertThat(harness.extractOutputValues()).extracting(DocumentVersion::version).containsExactly(1L, 3L, 2L);
        }
    }

    @Test
    void aDocumentDeletedAndWrittenAgainHasNothingToRemove() throws Exception {
        Out out = latest(upsert("d1", 1, "sport", 1_000), delete("acme", "d1", 2, 2_000),
                upsert("d1", 3, "markets", 3_000), delete("acme", "d1", 4, 4_000));

        assertThat(out.removals()).isEmpty();
        assertThat(out.versions()).extracting(DocumentVersion::topic)
                .containsExactly("sport", "sport", "markets", "markets");
    }
}
