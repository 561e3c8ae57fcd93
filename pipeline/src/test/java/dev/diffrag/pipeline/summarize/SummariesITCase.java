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
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@link Summaries#fromVersions} on a MiniCluster with parallelism 2: document summaries and windowed digests. */
class SummariesITCase {

    private static final InMemoryReporter METRICS = InMemoryReporter.createWithRetainedMetrics();

    @RegisterExtension
    static final MiniClusterExtension CLUSTER = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1)
            .setNumberSlotsPerTaskManager(2)
            .setConfiguration(METRICS.addToConfiguration(new Configuration()))
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
                "gone", "This document will be deleted. It must not appear.",
                "s2", "The away team lost. This report was deleted.",
                "m1", "The club sold its stadium. The deal moved to the markets desk.");
        List<DocumentVersion> versions = List.of(
                upsert("acme", "a1", 1, texts.get("a1"), 1_000),
                upsert("acme", "a2", 2, "An early draft. Soon replaced.", 2_000),
                upsert("acme", "a2", 5, texts.get("a2"), 3_000),
                new DocumentVersion("acme", "s1", 3, DocumentOp.UPSERT, texts.get("s1"), "sport", 4_000),
                new DocumentVersion("acme", "s2", 9, DocumentOp.UPSERT, texts.get("s2"), "sport", 4_100),
                new DocumentVersion("acme", "m1", 10, DocumentOp.UPSERT, texts.get("m1"), "sport", 4_200),
                delete("acme", "s2", 11, 4_300), // a delete carries no metadata, so no topic
                new DocumentVersion("acme", "m1", 12, DocumentOp.UPSERT, texts.get("m1"), "markets", 4_400),
                upsert("other", "o1", 4, texts.get("o1"), 5_000),
                upsert("acme", "gone", 6, texts.get("gone"), 6_000),
                delete("acme", "gone", 7, 7_000),
                upsert("acme", "a3", 8, texts.get("a3"), 12_000)); // next window
        var source = env.fromData(versions, TypeInformation.of(DocumentVersion.class)).setParallelism(1);
        SummaryConfig config = new SummaryConfig("lead-3", 2, 0, WINDOW, 10, 0, 1_000);

        Run run = run(env, source, config, "summaries");
        List<SummaryRecord> out = run.out();
        JobID job = run.job();

        List<SummaryRecord> digests = out.stream().filter(r -> r.kind() == SummaryRecord.Kind.DIGEST).toList();
        Map<String, SummaryRecord> byKey = digests.stream()
                .collect(Collectors.toMap(SummaryRecord::key, r -> r));
        assertThat(byKey).containsOnlyKeys("acme/digest//0", "acme/digest//10000", "acme/digest/sport/0",
                "acme/digest/markets/0", "other/digest//0");
        assertThat(docIds(byKey.get("acme/digest//0"))).containsExactlyInAnyOrder("a1", "a2");
        assertThat(docIds(byKey.get("acme/digest//10000"))).containsExactly("a3");
        // s2 was deleted and m1 moved to markets within the window
        assertThat(docIds(byKey.get("acme/digest/sport/0"))).containsExactly("s1");
        assertThat(docIds(byKey.get("acme/digest/markets/0"))).containsExactly("m1");
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
        assertThat(lateCandidates(job)).isZero();
    }

    @Test
    void aDocumentLaterThanTheOutOfOrdernessBoundIsInNoDigestButIsCounted() throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(1); // one path, so the watermark reaches the window before the late document does
        String text = "Acme opened a plant in Lyon. It employs 200 people.";
        List<DocumentVersion> versions = List.of(
                upsert("acme", "a1", 1, text, 1_000),
                upsert("acme", "a2", 2, text, 15_000), // next window: the watermark passes the first one
                upsert("acme", "late", 3, text, 2_000)); // first window, already fired
        DataStream<DocumentVersion> source = env.fromData(versions, TypeInformation.of(DocumentVersion.class))
                .map(SummariesITCase::holdBackTheLateOne)
                .returns(DocumentVersion.class)
                .disableChaining(); // the reader's watermark timer runs while this waits
        SummaryConfig config = new SummaryConfig("lead-3", 2, 0, WINDOW, 10, 0, 60_000);

        Run run = run(env, source, config, "late summaries");
        List<SummaryRecord> out = run.out();
        JobID job = run.job();

        Map<Long, SummaryRecord> digests = out.stream().filter(r -> r.kind() == SummaryRecord.Kind.DIGEST)
                .collect(Collectors.toMap(r -> r.window().start(), r -> r));
        assertThat(docIds(digests.get(0L))).containsExactly("a1");
        assertThat(docIds(digests.get(WINDOW))).containsExactly("a2");
        // its own summary is still written; only the digest misses it
        assertThat(out).filteredOn(r -> r.kind() == SummaryRecord.Kind.DOCUMENT).extracting(SummaryRecord::docId)
                .containsExactly("a1", "a2", "late");
        assertThat(lateCandidates(job)).isEqualTo(1);
    }

    /** Waits well over the periodic watermark interval (200 ms) before the late document, so the watermark leads. */
    private static DocumentVersion holdBackTheLateOne(DocumentVersion version) throws InterruptedException {
        if (version.docId().equals("late")) {
            Thread.sleep(1_000);
        }
        return version;
    }

    private static long lateCandidates(JobID job) {
        return METRICS.findMetrics(job, "lateDigestCandidates").values().stream()
                .mapToLong(metric -> ((Counter) metric).getCount())
                .sum();
    }

    private static List<String> docIds(SummaryRecord digest) {
        return digest.sentences().stream().map(SummaryRecord.Sentence::docId).distinct().toList();
    }

    /** What a finished job wrote, and its id (for its metrics). */
    private record Run(List<SummaryRecord> out, JobID job) {}

    /** Runs the summaries branch of {@code source} to the end. */
    private static Run run(StreamExecutionEnvironment env, DataStream<DocumentVersion> source, SummaryConfig config,
            String name) throws Exception {
        List<SummaryRecord> out = new ArrayList<>();
        DataStream<DocumentVersion> versions = source.assignTimestampsAndWatermarks(
                DocumentEventTime.of(config, (version, kafkaTimestamp) -> version.producedAtMs()));
        try (CloseableIterator<SummaryRecord> records = Summaries.fromVersions(versions, config).collectAsync()) {
            JobID job = env.execute(name).getJobID();
            records.forEachRemaining(out::add);
            return new Run(out, job);
        }
    }
}
