package dev.diffrag.pipeline.summarize;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.diffrag.connectors.Json;
import dev.diffrag.connectors.records.SummaryRecord;
import dev.diffrag.pipeline.ReplayHorizon;
import dev.diffrag.pipeline.answer.RemoteAnswererConfig;
import dev.diffrag.summarize.LeadSummarizer;
import dev.diffrag.summarize.Summarizer;
import dev.diffrag.summarize.Summarizers;
import dev.diffrag.summarize.Summary;
import dev.diffrag.summarize.SummaryRequest;
import dev.diffrag.text.SentenceSplitter;
import java.time.Duration;
import java.util.List;
import org.apache.flink.api.common.ExecutionConfig;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.windowing.assigners.TumblingEventTimeWindows;
import org.apache.flink.streaming.api.windowing.triggers.EventTimeTrigger;
import org.apache.flink.streaming.api.windowing.windows.TimeWindow;
import org.apache.flink.streaming.runtime.operators.windowing.WindowOperatorBuilder;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/** The digest window operator on its own, as the job builds it: keyed by tenant/topic, tumbling event-time windows. */
class DigestWindowTest {

    private static final long WINDOW = 10_000;
    private static final SummaryConfig CONFIG = new SummaryConfig("lead-3", 3, 0, WINDOW, 3, 0, 1_000);
    /** Kafka's default {@code max.request.size}, the largest record a producer sends. */
    private static final int KAFKA_RECORD_LIMIT = 1_048_576;

    /** lead-3, except that it throws on any text mentioning a "boom", as a model server that fails might. */
    private static final class BrokenOnBoom implements Summarizer {
        private final Summarizer lead = new LeadSummarizer(3);

        @Override
        public String name() {
            return lead.name();
        }

        @Override
        public List<Summary> summarize(List<SummaryRequest> batch) {
            if (batch.stream().anyMatch(r -> r.text().contains("boom"))) {
                throw new IllegalStateException("model server answered 503");
            }
            return lead.summarize(batch);
        }
    }

    /** Like the salience model, reads only the first 64 sentences of a text; chooses those that report a record. */
    private static final class RecordFinder implements Summarizer {
        @Override
        public String name() {
            return "record-finder";
        }

        @Override
        public List<Summary> summarize(List<SummaryRequest> batch) {
            return batch.stream().map(request -> new Summary(request.id(), SentenceSplitter.split(request.text())
                    .stream()
                    .limit(64)
                    .filter(span -> span.of(request.text()).contains("record"))
                    .limit(request.maxSentences())
                    .map(span -> new Summary.Sentence(span.of(request.text()), span.start(), span.end()))
                    .toList())).toList();
        }
    }

    /** A document version whose summary is all its sentences. */
    static DigestCandidate candidate(String docId, long version, String text, long producedAtMs) {
        List<SummaryRecord.Sentence> sentences = SentenceSplitter.split(text).stream()
                .map(s -> new SummaryRecord.Sentence(s.of(text), s.start(), s.end(), null, null))
                .toList();
        return new DigestCandidate("acme", null, docId, version, false, sentences, producedAtMs);
    }

    static KeyedOneInputStreamOperatorTestHarness<String, DigestCandidate, SummaryRecord> digests(
            SummarizerFactory summarizers) throws Exception {
        return digests(summarizers, null);
    }

    /** The operator, restored from {@code snapshot} when it is not null. */
    static KeyedOneInputStreamOperatorTestHarness<String, DigestCandidate, SummaryRecord> digests(
            SummarizerFactory summarizers, OperatorSubtaskState snapshot) throws Exception {
        var windows = new WindowOperatorBuilder<DigestCandidate, String, TimeWindow>(
                TumblingEventTimeWindows.of(Duration.ofMillis(WINDOW)), EventTimeTrigger.create(),
                new ExecutionConfig(), TypeInformation.of(DigestCandidate.class), DigestCandidate::digestKey,
                Types.STRING);
        var harness = new KeyedOneInputStreamOperatorTestHarness<>(
                windows.process(new DigestWindow(CONFIG, summarizers)), DigestCandidate::digestKey, Types.STRING);
        if (snapshot != null) {
            harness.initializeState(snapshot);
        }
        harness.open();
        return harness;
    }

    @Test
    void aDigestOfDocumentsWithoutSentencePunctuationFitsAKafkaRecord() throws Exception {
        try (var harness = digests(() -> new LeadSummarizer(3))) {
            for (int d = 0; d < 5; d++) {
                // 420,000 characters the sentence splitter finds no end in
                String text = ("word" + d + " ").repeat(60_000) + "end.";
                harness.processElement(candidate("d" + d, d, text, 1_000 + d), 1_000 + d);
            }
            harness.processWatermark(WINDOW - 1);

            assertThat(harness.extractOutputValues()).singleElement().satisfies(digest ->
                    assertThat(Json.toBytes(digest).length).isLessThan(KAFKA_RECORD_LIMIT / 10));
        }
    }

    @Test
    void afterARestoreAStragglerForAFiredWindowDoesNotReplaceItsDigest() throws Exception {
        OperatorSubtaskState snapshot;
        try (var harness = digests(() -> new LeadSummarizer(3))) {
            harness.processElement(candidate("a1", 1, "Acme opened a plant in Lyon.", 1_000), 1_000);
            harness.processWatermark(WINDOW - 1);
            assertThat(harness.extractOutputValues()).singleElement()
                    .satisfies(d -> assertThat(d.sentences()).extracting(SummaryRecord.Sentence::docId)
                            .containsExactly("a1"));
            snapshot = harness.snapshot(1, 1);
        }

        // Restored, the operator's watermark starts again from nothing: the straggler is not late to Flink.
        try (var restored = digests(() -> new LeadSummarizer(3), snapshot)) {
            restored.processElement(candidate("a2", 2, "Acme shares rose 4 percent.", 2_000), 2_000);
            restored.processWatermark(2 * WINDOW - 1);

            assertThat(restored.extractOutputValues()).isEmpty();
        }
    }

    @Test
    void aTopicQuietPastTheReplayHorizonLeavesNothingInState() throws Exception {
        // The end of a key's last fired window was kept forever: one entry for every tenant and topic ever seen.
        OperatorSubtaskState snapshot;
        try (var harness = digests(() -> new LeadSummarizer(3))) {
            harness.setStateTtlProcessingTime(0);
            harness.processElement(candidate("a1", 1, "Acme opened a plant in Lyon.", 1_000), 1_000);
            harness.processWatermark(WINDOW - 1);
            assertThat(harness.numKeyedStateEntries()).isEqualTo(1);
            harness.setStateTtlProcessingTime(ReplayHorizon.TTL.toMillis() + 1);
            snapshot = harness.snapshot(1, 1);
        }

        try (var restored = digests(() -> new LeadSummarizer(3), snapshot)) {
            assertThat(restored.numKeyedStateEntries()).isZero();
        }
    }

    @Test
    void aDigestTheSummarizerFailsOnIsSkippedAndLaterWindowsStillGetTheirs() throws Exception {
        try (var harness = digests(BrokenOnBoom::new)) {
            harness.processElement(candidate("a1", 1, "A boom shook the plant. Nobody was hurt.", 1_000), 1_000);
            harness.processElement(candidate("a2", 2, "Acme shares rose 4 percent.", 12_000), 12_000);

            harness.processWatermark(WINDOW - 1); // fires the failing window: no exception, no digest
            assertThat(harness.extractOutputValues()).isEmpty();
            harness.processWatermark(2 * WINDOW - 1);

            assertThat(harness.extractOutputValues()).singleElement().satisfies(digest -> {
                assertThat(digest.window()).isEqualTo(new SummaryRecord.Window(WINDOW, 2 * WINDOW));
                assertThat(digest.sentences()).extracting(SummaryRecord.Sentence::docId).containsExactly("a2");
            });
        }
    }

    @Test
    void aSentenceOfTheLastOfManyDocumentsCanBeChosen() throws Exception {
        // 40 documents of 3 sentences: 120 candidates, over what one request of the summarizer reads
        String last = "Plant 39 opened. It employs 39 people. Its output hit a record.";
        try (var harness = digests(RecordFinder::new)) {
            for (int i = 0; i < 39; i++) {
                harness.processElement(candidate("d" + i, i, "Plant " + i + " opened. It employs " + i
                        + " people. Its output rose " + i + " percent.", 1_000 + i), 1_000 + i);
            }
            harness.processElement(candidate("d39", 39, last, 2_000), 2_000);
            harness.processWatermark(WINDOW - 1);

            assertThat(harness.extractOutputValues()).singleElement().satisfies(digest ->
                    assertThat(digest.sentences()).containsExactly(new SummaryRecord.Sentence(
                            "Its output hit a record.", last.indexOf("Its"), last.length(), "d39", 39L)));
        }
    }

    @Test
    void aDocumentUpdatedWithinTheWindowIsCitedAtItsLatestVersionWhateverTheArrivalOrder() throws Exception {
        try (var harness = digests(() -> new LeadSummarizer(3))) {
            harness.processElement(candidate("a1", 9, "Acme closed its plant in Lyon.", 3_000), 3_000);
            harness.processElement(candidate("a1", 5, "Acme opened a plant in Lyon.", 1_000), 1_000);
            harness.processWatermark(WINDOW - 1);

            assertThat(harness.extractOutputValues()).singleElement().satisfies(digest ->
                    assertThat(digest.sentences()).containsExactly(
                            new SummaryRecord.Sentence("Acme closed its plant in Lyon.", 0, 30, "a1", 9L)));
        }
    }

    @Test
    void aDocumentDeletedWithinTheWindowIsInNoDigest() throws Exception {
        try (var harness = digests(() -> new LeadSummarizer(3))) {
            harness.processElement(candidate("a1", 1, "Acme opened a plant in Lyon.", 1_000), 1_000);
            harness.processElement(new DigestCandidate("acme", null, "a1", 2, true, List.of(), 2_000), 2_000);
            harness.processWatermark(WINDOW - 1);

            assertThat(harness.extractOutputValues()).isEmpty();
        }
    }

    @Test
    void aWindowWhoseDocumentSummariesHaveNoSentencesGetsNoDigest() throws Exception {
        // e.g. a token budget smaller than every sentence of the document
        try (var harness = digests(() -> Summarizers.named("diff-v1", 0))) {
            harness.processElement(new DigestCandidate("acme", null, "a1", 1, false, List.of(), 1_000), 1_000);
            harness.processWatermark(WINDOW - 1);

            assertThat(harness.extractOutputValues()).isEmpty();
        }
        try (var harness = digests(() -> new LeadSummarizer(3))) {
            harness.processElement(new DigestCandidate("acme", null, "a1", 1, false, List.of(), 1_000), 1_000);
            harness.processWatermark(WINDOW - 1);

            assertThat(harness.extractOutputValues()).isEmpty();
        }
    }

    @Test
    void eachTopicGetsADigestOfItsOwnDocuments() throws Exception {
        try (var harness = digests(() -> new LeadSummarizer(3))) {
            harness.processElement(inTopic("sport", candidate("s1", 1, "Lyon won the cup.", 1_000)), 1_000);
            harness.processElement(inTopic("markets", candidate("m1", 2, "Acme shares rose.", 1_500)), 1_500);
            harness.processWatermark(WINDOW - 1);

            assertThat(harness.extractOutputValues())
                    .extracting(SummaryRecord::topic, d -> d.sentences().get(0).docId())
                    .containsExactlyInAnyOrder(tuple("sport", "s1"), tuple("markets", "m1"));
        }
    }

    @Test
    void sentencesFollowProducerTimeNotArrivalOrder() throws Exception {
        try (var harness = digests(() -> new LeadSummarizer(3))) {
            for (int i = 3; i >= 0; i--) { // arrives newest first; lead-3 keeps the first three candidates
                harness.processElement(candidate("d" + i, 10 - i, "Plant " + i + " opened.", 1_000 + i), 1_000 + i);
            }
            harness.processWatermark(WINDOW - 1);

            assertThat(harness.extractOutputValues()).singleElement().satisfies(digest ->
                    assertThat(digest.sentences()).extracting(SummaryRecord.Sentence::docId)
                            .containsExactly("d0", "d1", "d2"));
        }
    }

    private static DigestCandidate inTopic(String topic, DigestCandidate c) {
        return new DigestCandidate(c.tenant(), topic, c.docId(), c.version(), c.deleted(), c.sentences(),
                c.producedAtMs());
    }

    @Test
    void aRequestHoldsNoMoreCandidatesThanTheSalienceModelReads() {
        try (Summarizer diffV1 = Summarizers.named("diff-v1", 0)) {
            assertThat(DigestWindow.linesPerRequest(diffV1, 1_000)).isEqualTo(64);
            assertThat(DigestWindow.linesPerRequest(diffV1, 32)).isEqualTo(32);
        }
        assertThat(DigestWindow.linesPerRequest(new LeadSummarizer(3), 1_000)).isEqualTo(1_000);
        // A model server's salience model reads 64 too: the 36 candidates past them went unread.
        RemoteSummarizer remote = new RemoteSummarizer(
                new RemoteAnswererConfig("http://127.0.0.1:8080", 5_000, 1, 4, null), 60_000);
        assertThat(DigestWindow.linesPerRequest(remote, 100)).isEqualTo(64);
    }
}
