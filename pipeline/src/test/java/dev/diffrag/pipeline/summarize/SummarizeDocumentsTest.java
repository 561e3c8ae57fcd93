package dev.diffrag.pipeline.summarize;

import static org.assertj.core.api.Assertions.assertThat;

import dev.diffrag.connectors.records.DocumentOp;
import dev.diffrag.connectors.records.SummaryRecord;
import dev.diffrag.pipeline.answer.DownModelServer;
import dev.diffrag.serving.SummarizeApi;
import dev.diffrag.summarize.Summarizer;
import dev.diffrag.summarize.Summarizers;
import dev.diffrag.summarize.Summary;
import dev.diffrag.summarize.SummaryRequest;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.datastream.AsyncDataStream;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.api.operators.async.AsyncWaitOperatorFactory;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Operator tests of per-document summaries, stage by stage as the job chains them (latest versions → async summarizer
 * → split): verbatim offsets, superseding updates, deletes, replays, micro-batches, timeouts and summarizer errors.
 */
class SummarizeDocumentsTest {

    static final String STORM = "A storm hit the northern coast on Monday night. Winds reached 140 km/h near the "
            + "harbour. Ferries were cancelled until Wednesday. Two fishing boats sank at their moorings. Nobody "
            + "was hurt, the coastguard said. Power was restored to most homes by Tuesday evening.";
    static final String STORM_UPDATE = "Repairs began on Thursday after the storm. The harbour reopened to "
            + "ferries. Insurers expect claims of several million euros.";

    private static final long TIMEOUT_MS = 1_000;

    /** Sizes of the batches every counting summarizer of this test saw; static because the factory is serialized. */
    private static final List<Integer> BATCH_SIZES = Collections.synchronizedList(new ArrayList<>());
    private static final CountDownLatch RELEASE_STUCK = new CountDownLatch(1);
    private static final CountDownLatch STARTED_SLOW = new CountDownLatch(1);
    private static final CountDownLatch RELEASE_SLOW = new CountDownLatch(1);

    /** lead-2, counting the batches it is called with. */
    private static class CountingSummarizer implements Summarizer {
        private final Summarizer lead = Summarizers.named("lead-2", 0);

        @Override
        public String name() {
            return lead.name();
        }

        @Override
        public List<Summary> summarize(List<SummaryRequest> batch) {
            BATCH_SIZES.add(batch.size());
            return lead.summarize(batch);
        }
    }

    static DocumentVersion upsert(String tenant, String id, long version, String text, long ts) {
        return new DocumentVersion(tenant, id, version, DocumentOp.UPSERT, text, null, ts);
    }

    static DocumentVersion delete(String tenant, String id, long version, long ts) {
        return new DocumentVersion(tenant, id, version, DocumentOp.DELETE, null, null, ts);
    }

    private static SummaryConfig config(String summarizer, int maxBatchSize, long maxBatchDelayMs) {
        return new SummaryConfig(summarizer, 3, 0, 60_000, 5, 64, 0, 1_000, maxBatchSize, maxBatchDelayMs, TIMEOUT_MS,
                SummaryConfig.defaults().remote());
    }

    /** The versions {@link LatestDocumentVersions} lets through, in order. */
    private static List<DocumentVersion> latestVersions(List<DocumentVersion> versions) throws Exception {
        try (var harness = new KeyedOneInputStreamOperatorTestHarness<>(
                new KeyedProcessOperator<>(new LatestDocumentVersions()), DocumentVersion::key, Types.STRING)) {
            harness.open();
            for (DocumentVersion version : versions) {
                harness.processElement(version, version.producedAtMs());
            }
            return harness.extractOutputValues();
        }
    }

    private static OneInputStreamOperatorTestHarness<DocumentVersion, SummarizedVersion> summarizing(
            SummarizerFactory factory, SummaryConfig config) throws Exception {
        var harness = new OneInputStreamOperatorTestHarness<>(
                new AsyncWaitOperatorFactory<>(new SummarizeDocuments(factory, config), config.timeoutMs(),
                        config.capacity(), AsyncDataStream.OutputMode.ORDERED),
                TypeInformation.of(DocumentVersion.class).createSerializer(new SerializerConfigImpl()));
        harness.open();
        return harness;
    }

    private static List<SummarizedVersion> finish(
            OneInputStreamOperatorTestHarness<DocumentVersion, SummarizedVersion> harness) throws Exception {
        synchronized (harness.getCheckpointLock()) {
            harness.endInput();
        }
        List<SummarizedVersion> out = harness.extractOutputValues();
        harness.close();
        return out;
    }

    /** All three stages: the summary records, and the digest candidates of the side output. */
    private static Split summarize(SummarizerFactory factory, SummaryConfig config, DocumentVersion... versions)
            throws Exception {
        var summarizing = summarizing(factory, config);
        for (DocumentVersion version : latestVersions(List.of(versions))) {
            summarizing.processElement(version, version.producedAtMs());
        }
        List<SummarizedVersion> summarized = finish(summarizing);
        try (var split = ProcessFunctionTestHarnesses.forProcessFunction(new SplitSummaries())) {
            for (SummarizedVersion version : summarized) {
                split.processElement(version, version.candidate().producedAtMs());
            }
            List<DigestCandidate> candidates = new ConcurrentLinkedQueue<>(
                    split.getSideOutput(SplitSummaries.DIGEST_CANDIDATES)).stream().map(r -> r.getValue()).toList();
            return new Split(split.extractOutputValues(), candidates);
        }
    }

    private record Split(List<SummaryRecord> summaries, List<DigestCandidate> candidates) {}

    @Test
    void theDiffTransformerSummaryIsVerbatimAtItsOffsets() throws Exception {
        SummaryConfig config = config("diff-v1", 16, 0);
        Split out = summarize(SummarizerFactory.of(config), config, upsert("acme", "storm", 4, STORM, 1_000));

        SummaryRecord summary = out.summaries().get(0);
        assertThat(summary.kind()).isEqualTo(SummaryRecord.Kind.DOCUMENT);
        assertThat(summary.model()).isEqualTo("diff-v1-salience");
        assertThat(summary.docVersion()).isEqualTo(4);
        assertThat(summary.sentences()).hasSize(3);
        for (SummaryRecord.Sentence sentence : summary.sentences()) {
            assertThat(STORM.substring(sentence.start(), sentence.end())).isEqualTo(sentence.text());
        }
        assertThat(summary.sentences()).extracting(SummaryRecord.Sentence::start).isSorted();
        assertThat(out.candidates()).singleElement().satisfies(c -> assertThat(c.sentences())
                .isEqualTo(summary.sentences()));
    }

    @Test
    void anUpdateSupersedesTheOldSummaryAndStaleVersionsAreIgnored() throws Exception {
        BATCH_SIZES.clear();
        Split out = summarize(CountingSummarizer::new, config("lead-2", 16, 0),
                upsert("acme", "storm", 4, STORM, 1_000),
                upsert("acme", "storm", 9, STORM_UPDATE, 2_000),
                upsert("acme", "storm", 4, STORM, 1_000), // replayed after a restore
                delete("acme", "storm", 12, 4_000));

        List<SummaryRecord> summaries = out.summaries();
        assertThat(summaries).extracting(SummaryRecord::docVersion).containsExactly(4L, 9L, 12L);
        assertThat(summaries).extracting(SummaryRecord::key).containsOnly("acme/document/storm");
        assertThat(summaries.get(1).sentences()).extracting(SummaryRecord.Sentence::text)
                .containsExactly("Repairs began on Thursday after the storm.", "The harbour reopened to ferries.");
        assertThat(summaries.get(2).deleted()).isTrue();
        assertThat(summaries.get(2).sentences()).isEmpty();
        assertThat(out.candidates()).extracting(DigestCandidate::version).containsExactly(4L, 9L, 12L);
        assertThat(out.candidates()).extracting(DigestCandidate::deleted).containsExactly(false, false, true);
        // the stale replay and the delete never reach the model
        assertThat(BATCH_SIZES.stream().mapToInt(Integer::intValue).sum()).isEqualTo(2);
    }

    @Test
    void documentsArrivingTogetherReachTheSummarizerAsOneBatch() throws Exception {
        BATCH_SIZES.clear();
        List<DocumentVersion> documents = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            documents.add(upsert("acme", "doc" + i, i, (i % 2 == 0 ? STORM : STORM_UPDATE), 1_000 + i));
        }
        // batch size 6 and a long delay: the batch runs as soon as the sixth document is queued
        Split out = summarize(CountingSummarizer::new, config("lead-2", 6, 10_000),
                documents.toArray(DocumentVersion[]::new));

        assertThat(BATCH_SIZES).containsExactly(6);
        assertThat(out.summaries()).extracting(SummaryRecord::docId)
                .containsExactly("doc0", "doc1", "doc2", "doc3", "doc4", "doc5");
        assertThat(out.summaries().get(1).sentences()).extracting(SummaryRecord.Sentence::text)
                .containsExactly("Repairs began on Thursday after the storm.", "The harbour reopened to ferries.");
    }

    @Test
    void aVersionTheSummarizerDoesNotFinishInTimeGetsNoSummaryAndTheJobGoesOn() throws Exception {
        SummarizerFactory stuck = () -> new CountingSummarizer() {
            @Override
            public List<Summary> summarize(List<SummaryRequest> batch) {
                try {
                    RELEASE_STUCK.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return super.summarize(batch);
            }
        };
        var harness = summarizing(stuck, config("lead-2", 1, 0));
        harness.processElement(upsert("acme", "storm", 4, STORM, 1_000), 1_000);
        harness.processElement(delete("acme", "other", 5, 1_001), 1_001);

        harness.setProcessingTime(TIMEOUT_MS + 1);
        List<SummarizedVersion> out = new ArrayList<>(harness.extractOutputValues());
        RELEASE_STUCK.countDown();
        out.addAll(finish(harness));

        // the timed-out upsert gets no summary but leaves its digest; the delete behind it (no model call) comes out
        assertThat(out).extracting(SummarizedVersion::summary).first().isNull();
        assertThat(out.get(0).candidate()).isEqualTo(new DigestCandidate("acme", null, "storm", 4, true, List.of(),
                1_000));
        assertThat(out.get(1).summary().key()).isEqualTo("acme/document/other");
        assertThat(out.get(1).summary().deleted()).isTrue();
    }

    private static final CountDownLatch STARTED_BACKLOG = new CountDownLatch(1);
    private static final CountDownLatch RELEASE_BACKLOG = new CountDownLatch(1);
    private static final List<String> SUMMARIZED = Collections.synchronizedList(new ArrayList<>());

    @Test
    void aVersionThatTimedOutLeavesTheQueueSoTheVersionsAfterItAreSummarized() throws Exception {
        SummarizerFactory slowFirst = () -> new CountingSummarizer() {
            @Override
            public List<Summary> summarize(List<SummaryRequest> batch) {
                batch.forEach(request -> SUMMARIZED.add(request.id()));
                if (batch.get(0).id().endsWith("/a")) {
                    STARTED_BACKLOG.countDown();
                    try {
                        RELEASE_BACKLOG.await(10, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                return super.summarize(batch);
            }
        };
        // Batches of one: two versions in flight, one in the summarizer and one in the batcher's queue.
        var harness = summarizing(slowFirst, config("lead-2", 1, 0));
        harness.processElement(upsert("acme", "a", 1, STORM, 1_000), 1_000);
        assertThat(STARTED_BACKLOG.await(10, TimeUnit.SECONDS)).as("a reached the summarizer").isTrue();
        harness.processElement(upsert("acme", "b", 1, STORM, 1_001), 1_001);
        harness.setProcessingTime(TIMEOUT_MS + 1); // a and b time out; their places in flight go to c and d
        harness.processElement(upsert("acme", "c", 1, STORM, 1_002), 1_002);
        harness.processElement(upsert("acme", "d", 1, STORM, 1_003), 1_003);
        RELEASE_BACKLOG.countDown();

        // a and b timed out: no summary, only their digest removals
        assertThat(finish(harness)).filteredOn(v -> v.summary() != null).extracting(v -> v.summary().docId())
                .containsExactly("c", "d");
        // b, given up on while it waited, was not computed for nobody (nor did it keep d out of a full queue).
        assertThat(SUMMARIZED).extracting(key -> key.substring(key.lastIndexOf('/') + 1))
                .containsExactly("a", "c", "d");
    }

    @Test
    @Timeout(60)
    void aRemoteSummarizersAttemptsEndWithTheVersionsOwnTimeoutNotAFullBudgetAfterItsBatchStarts() throws Exception {
        try (DownModelServer server = new DownModelServer(SummarizeApi.PATH)) {
            long timeoutMs = 1_500;
            var config = new SummaryConfig("remote", 3, 0, 60_000, 5, 64, 0, 1_000, 1, 0, timeoutMs, server.remote());
            var harness = summarizing(SummarizerFactory.of(config), config);
            long submitted = System.nanoTime();
            harness.processElement(upsert("acme", "storm", 4, STORM, 1_000), 1_000);
            harness.processElement(upsert("acme", "flood", 5, STORM, 1_001), 1_001);
            // The second version waits in the queue while the first one's batch waits for its whole budget.
            Thread.sleep(2 * timeoutMs + 1_000);
            harness.close();

            assertThat(server.attempts()).as("the first version was tried").isPositive();
            assertThat(server.lateAttemptsMs(submitted + TimeUnit.MILLISECONDS.toNanos(timeoutMs)))
                    .as("attempts after the versions had timed out (ms past it)").isEmpty();
        }
    }

    @Test
    void aVersionWhoseBatchFailedGetsNoSummaryAndTheJobGoesOn() throws Exception {
        SummarizerFactory broken = () -> new CountingSummarizer() {
            @Override
            public List<Summary> summarize(List<SummaryRequest> batch) {
                throw new IllegalStateException("CUDA out of memory");
            }
        };
        var harness = summarizing(broken, config("lead-2", 1, 0));
        harness.processElement(upsert("acme", "storm", 4, STORM, 1_000), 1_000);
        harness.processElement(delete("acme", "other", 5, 1_001), 1_001);

        List<SummarizedVersion> out = finish(harness);
        assertThat(out).extracting(SummarizedVersion::summary).first().isNull();
        assertThat(out.get(0).candidate().deleted()).isTrue();
        assertThat(out.get(1).summary().key()).isEqualTo("acme/document/other");
    }

    @Test
    void aDigestDoesNotCiteAnOlderVersionOfADocumentWhoseLatestVersionGotNoSummary() throws Exception {
        // lead-2, failing on the update as a model server answering 503 would
        SummarizerFactory failsOnRepairs = () -> new CountingSummarizer() {
            @Override
            public List<Summary> summarize(List<SummaryRequest> batch) {
                if (batch.stream().anyMatch(r -> r.text().contains("Repairs"))) {
                    throw new IllegalStateException("model server answered 503");
                }
                return super.summarize(batch);
            }
        };
        Split out = summarize(failsOnRepairs, config("lead-2", 1, 0),
                upsert("acme", "storm", 4, STORM, 1_000),
                upsert("acme", "storm", 9, STORM_UPDATE, 2_000));
        assertThat(out.summaries()).extracting(SummaryRecord::docVersion).containsExactly(4L);

        try (var digests = DigestWindowTest.digests(() -> Summarizers.named("lead-3", 0))) {
            for (DigestCandidate candidate : out.candidates()) {
                digests.processElement(candidate, candidate.producedAtMs());
            }
            digests.processWatermark(Long.MAX_VALUE);

            // version 9 replaced version 4 within the window: the text of version 4 is no longer the document's
            assertThat(digests.extractOutputValues()).flatExtracting(SummaryRecord::sentences)
                    .extracting(SummaryRecord.Sentence::docVersion).doesNotContain(4L);
        }
    }

    @Test
    void aSummaryWhoseSentencesAreNotTheDocumentsTextAtTheirOffsetsIsASummarizerError() throws Exception {
        // as a model server summarizing another text, or counting offsets in another unit, might answer
        SummarizerFactory offByOne = () -> new CountingSummarizer() {
            @Override
            public List<Summary> summarize(List<SummaryRequest> batch) {
                return super.summarize(batch).stream().map(summary -> new Summary(summary.id(), summary.sentences()
                        .stream().map(s -> new Summary.Sentence(s.text(), s.start() + 1, s.end() + 1)).toList()))
                        .toList();
            }
        };
        var harness = summarizing(offByOne, config("lead-2", 1, 0));
        harness.processElement(upsert("acme", "storm", 4, STORM, 1_000), 1_000);

        List<SummarizedVersion> out = finish(harness);
        assertThat(out).extracting(SummarizedVersion::summary).containsExactly((SummaryRecord) null);
        assertThat(out.get(0).candidate().deleted()).isTrue();
    }

    @Test
    void aVersionStillQueuedAtItsTimeoutIsNeverSummarized() throws Exception {
        SummarizerFactory slow = () -> new CountingSummarizer() {
            @Override
            public List<Summary> summarize(List<SummaryRequest> batch) {
                STARTED_SLOW.countDown();
                try {
                    RELEASE_SLOW.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return super.summarize(batch);
            }
        };
        BATCH_SIZES.clear();
        var harness = summarizing(slow, config("lead-2", 1, 0));
        harness.processElement(upsert("acme", "storm", 4, STORM, 0), 0);
        harness.processElement(upsert("acme", "flood", 5, STORM_UPDATE, 0), 0);
        // On a busy machine the batcher may not have taken storm yet; a timeout then would cancel it unrun.
        assertThat(STARTED_SLOW.await(10, TimeUnit.SECONDS)).as("storm is being summarized").isTrue();

        harness.setProcessingTime(TIMEOUT_MS + 1);
        // queued behind the versions that timed out; finishing waits for it, and the batcher takes versions in order
        harness.processElement(upsert("acme", "rain", 6, STORM, TIMEOUT_MS + 1), TIMEOUT_MS + 1);
        RELEASE_SLOW.countDown();
        List<SummarizedVersion> out = finish(harness);

        assertThat(out).extracting(v -> v.summary() == null ? null : v.summary().docId())
                .containsExactly(null, null, "rain");
        // after a backlog, summarizing versions nobody waits for would make every later version time out too
        assertThat(BATCH_SIZES).as("flood, still queued at its timeout, is never run").containsExactly(1, 1);
    }
}
