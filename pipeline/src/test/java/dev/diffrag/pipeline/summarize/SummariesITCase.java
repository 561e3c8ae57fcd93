package dev.diffrag.pipeline.summarize;

import static dev.diffrag.pipeline.summarize.SummarizeDocumentsTest.delete;
import static dev.diffrag.pipeline.summarize.SummarizeDocumentsTest.upsert;
import static org.assertj.core.api.Assertions.assertThat;

import dev.diffrag.connectors.records.DocumentOp;
import dev.diffrag.connectors.records.SummaryRecord;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@link Summaries#fromVersions} on a MiniCluster with parallelism 2: document summaries and windowed digests. */
class SummariesITCase {

    @RegisterExtension
    static final MiniClusterExtension CLUSTER = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1)
            .setNumberSlotsPerTaskManager(2)
            .build());

    private static final long WINDOW = 10_000;

    @Test
    void digestsHoldOnlyTheirWindowsDocumentsOfTheirTenantAndTopic() throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(2);
        Map<String, String> texts = Map.of(
                "a1", "Acme opened a plant in Lyon. It employs 200 people.",
                "a2", "Acme shares rose 4 percent. Analysts were surprised.",
                "a3", "Acme named a new chief executive. She starts in May.",
                "o1", "Other Corp recalled a toaster. No injuries were reported.",
                "s1", "The local team won the cup. Fans celebrated all night.",
                "gone", "This document will be deleted. It must not appear.");
        List<DocumentVersion> versions = List.of(
                upsert("acme", "a1", 1, texts.get("a1"), 1_000),
                upsert("acme", "a2", 2, "An early draft. Soon replaced.", 2_000),
                upsert("acme", "a2", 5, texts.get("a2"), 3_000),
                new DocumentVersion("acme", "s1", 3, DocumentOp.UPSERT, texts.get("s1"), "sport", 4_000),
                upsert("other", "o1", 4, texts.get("o1"), 5_000),
                upsert("acme", "gone", 6, texts.get("gone"), 6_000),
                delete("acme", "gone", 7, 7_000),
                upsert("acme", "a3", 8, texts.get("a3"), 12_000)); // next window
        var source = env.fromData(versions, TypeInformation.of(DocumentVersion.class)).setParallelism(1);
        SummaryConfig config = new SummaryConfig("lead-3", 2, 0, WINDOW, 10, 0, 1_000);

        List<SummaryRecord> out = new ArrayList<>();
        try (CloseableIterator<SummaryRecord> records = Summaries.fromVersions(source, config).collectAsync()) {
            env.execute("summaries");
            records.forEachRemaining(out::add);
        }

        List<SummaryRecord> digests = out.stream().filter(r -> r.kind() == SummaryRecord.Kind.DIGEST).toList();
        Map<String, SummaryRecord> byKey = digests.stream()
                .collect(Collectors.toMap(SummaryRecord::key, r -> r));
        assertThat(byKey).containsOnlyKeys("acme/digest//0", "acme/digest//10000", "acme/digest/sport/0",
                "other/digest//0");
        assertThat(docIds(byKey.get("acme/digest//0"))).containsExactlyInAnyOrder("a1", "a2");
        assertThat(docIds(byKey.get("acme/digest//10000"))).containsExactly("a3");
        assertThat(docIds(byKey.get("acme/digest/sport/0"))).containsExactly("s1");
        assertThat(docIds(byKey.get("other/digest//0"))).containsExactly("o1");
        assertThat(byKey.get("acme/digest//0").window()).isEqualTo(new SummaryRecord.Window(0, WINDOW));
        for (SummaryRecord digest : digests) {
            for (SummaryRecord.Sentence sentence : digest.sentences()) {
                assertThat(texts.get(sentence.docId()).substring(sentence.start(), sentence.end()))
                        .isEqualTo(sentence.text());
            }
        }
        // only the latest version of a2 is digested
        assertThat(byKey.get("acme/digest//0").sentences()).filteredOn(s -> s.docId().equals("a2"))
                .extracting(SummaryRecord.Sentence::docVersion).containsOnly(5L);

        List<SummaryRecord> documents = out.stream().filter(r -> r.kind() == SummaryRecord.Kind.DOCUMENT).toList();
        assertThat(documents).hasSize(versions.size());
        assertThat(documents).filteredOn(r -> r.docId().equals("a2")).extracting(SummaryRecord::docVersion)
                .containsExactly(2L, 5L);
        assertThat(documents).filteredOn(r -> r.docId().equals("gone")).extracting(SummaryRecord::deleted)
                .containsExactly(null, true);
    }

    private static List<String> docIds(SummaryRecord digest) {
        return digest.sentences().stream().map(SummaryRecord.Sentence::docId).distinct().toList();
    }
}
