package dev.diffrag.pipeline.summarize;

import static org.assertj.core.api.Assertions.assertThat;

import dev.diffrag.connectors.records.DocumentOp;
import dev.diffrag.connectors.records.SummaryRecord;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/** Operator tests of per-document summaries: verbatim offsets, superseding updates, deletes, replays. */
class SummarizeDocumentsTest {

    static final String STORM = "A storm hit the northern coast on Monday night. Winds reached 140 km/h near the "
            + "harbour. Ferries were cancelled until Wednesday. Two fishing boats sank at their moorings. Nobody "
            + "was hurt, the coastguard said. Power was restored to most homes by Tuesday evening.";
    static final String STORM_UPDATE = "Repairs began on Thursday after the storm. The harbour reopened to "
            + "ferries. Insurers expect claims of several million euros.";

    static DocumentVersion upsert(String tenant, String id, long version, String text, long ts) {
        return new DocumentVersion(tenant, id, version, DocumentOp.UPSERT, text, null, ts);
    }

    static DocumentVersion delete(String tenant, String id, long version, long ts) {
        return new DocumentVersion(tenant, id, version, DocumentOp.DELETE, null, null, ts);
    }

    private static KeyedOneInputStreamOperatorTestHarness<String, DocumentVersion, SummaryRecord> harness(
            String summarizer) throws Exception {
        SummaryConfig config = new SummaryConfig(summarizer, 3, 0, 60_000, 5, 0, 1_000);
        var harness = new KeyedOneInputStreamOperatorTestHarness<>(
                new KeyedProcessOperator<>(new SummarizeDocuments(config)), DocumentVersion::key, Types.STRING);
        harness.open();
        return harness;
    }

    @Test
    void theDiffTransformerSummaryIsVerbatimAtItsOffsets() throws Exception {
        try (var harness = harness("diff-v1")) {
            harness.processElement(upsert("acme", "storm", 4, STORM, 1_000), 1_000);

            SummaryRecord summary = summaries(harness).get(0);
            assertThat(summary.kind()).isEqualTo(SummaryRecord.Kind.DOCUMENT);
            assertThat(summary.model()).isEqualTo("diff-v1-salience");
            assertThat(summary.docVersion()).isEqualTo(4);
            assertThat(summary.sentences()).hasSize(3);
            for (SummaryRecord.Sentence sentence : summary.sentences()) {
                assertThat(STORM.substring(sentence.start(), sentence.end())).isEqualTo(sentence.text());
            }
            assertThat(summary.sentences()).extracting(SummaryRecord.Sentence::start).isSorted();
        }
    }

    @Test
    void anUpdateSupersedesTheOldSummaryAndStaleVersionsAreIgnored() throws Exception {
        try (var harness = harness("lead-2")) {
            harness.processElement(upsert("acme", "storm", 4, STORM, 1_000), 1_000);
            harness.processElement(upsert("acme", "storm", 9, STORM_UPDATE, 2_000), 2_000);
            harness.processElement(upsert("acme", "storm", 4, STORM, 1_000), 3_000); // replayed after a restore
            harness.processElement(delete("acme", "storm", 12, 4_000), 4_000);

            List<SummaryRecord> summaries = summaries(harness);
            assertThat(summaries).extracting(SummaryRecord::docVersion).containsExactly(4L, 9L, 12L);
            assertThat(summaries).extracting(SummaryRecord::key).containsOnly("acme/storm");
            assertThat(summaries.get(1).sentences()).extracting(SummaryRecord.Sentence::text)
                    .containsExactly("Repairs began on Thursday after the storm.", "The harbour reopened to ferries.");
            assertThat(summaries.get(2).deleted()).isTrue();
            assertThat(summaries.get(2).sentences()).isEmpty();

            var candidates = new ConcurrentLinkedQueue<>(harness.getSideOutput(SummarizeDocuments.DIGEST_CANDIDATES));
            assertThat(candidates).extracting(r -> r.getValue().version()).containsExactly(4L, 9L, 12L);
            assertThat(candidates).extracting(r -> r.getValue().deleted()).containsExactly(false, false, true);
        }
    }

    private static List<SummaryRecord> summaries(
            KeyedOneInputStreamOperatorTestHarness<String, DocumentVersion, SummaryRecord> harness) {
        return harness.extractOutputValues();
    }
}
