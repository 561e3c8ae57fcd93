package dev.diffrag.pipeline.index;

import static dev.diffrag.pipeline.index.RealEmbeddings.delete;
import static dev.diffrag.pipeline.index.RealEmbeddings.question;
import static dev.diffrag.pipeline.index.RealEmbeddings.upsert;
import static org.assertj.core.api.Assertions.assertThat;

import dev.diffrag.pipeline.ReplayHorizon;
import dev.diffrag.pipeline.ingest.DocumentChange;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.co.CoBroadcastWithKeyedOperator;
import org.apache.flink.streaming.util.AbstractStreamOperatorTestHarness;
import org.apache.flink.streaming.util.KeyedBroadcastOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Operator tests of the live index with real embeddings. */
class IndexDocumentsTest {

    private static final int MAX_PARALLELISM = 128;

    private static final String PLANTS = "Photosynthesis lets green plants turn sunlight, water and carbon dioxide "
            + "into sugar and oxygen. It happens in the chloroplasts of leaf cells.";
    private static final String VOLCANOES = "A volcano erupts when molten rock from the mantle rises through the crust. "
            + "Lava, ash and gases escape through vents.";
    private static final String OLD_CODE = "The vault combination was 4711 until spring.";
    private static final String NEW_CODE = "The vault now opens with a fingerprint reader instead of a combination.";

    private KeyedBroadcastOperatorTestHarness<String, DocumentChange, EmbeddedQuestion, PartialRetrieval> harness;
    /** The function of the harness opened last. */
    private static IndexDocuments lastFunction;

    @BeforeEach
    void open() throws Exception {
        harness = openHarness(null, 1, 0);
    }

    @AfterEach
    void close() throws Exception {
        harness.close();
    }

    @Test
    void aQuestionFindsAnUpsertedDocumentByMeaningAndByWords() throws Exception {
        harness.processElement(upsert("acme", "plants", 1, PLANTS), 0);
        harness.processElement(upsert("acme", "volcanoes", 2, VOLCANOES), 0);

        PartialRetrieval partial = ask(question("acme", "q", "How do leaves make food from light?"));

        assertThat(partial.subtask()).isZero();
        assertThat(partial.parallelism()).isEqualTo(1);
        assertThat(partial.vector().get(0).docId()).isEqualTo("plants");
        assertThat(partial.vector().get(0).score()).isGreaterThan(partial.vector().get(1).score());
        assertThat(ask(question("acme", "q2", "What comes out of a volcano?")).vector().get(0).docId())
                .isEqualTo("volcanoes");
        assertThat(ask(question("acme", "q3", "chloroplasts")).bm25()).extracting(ScoredChunk::docId)
                .containsExactly("plants");
    }

    @Test
    void afterAnUpdateTheOldTextIsNeverReturned() throws Exception {
        harness.processElement(upsert("acme", "vault", 1, OLD_CODE + " " + VOLCANOES), 0);
        assertThat(texts(ask(question("acme", "q1", "vault combination 4711")))).anyMatch(t -> t.contains("4711"));

        harness.processElement(upsert("acme", "vault", 5, NEW_CODE), 0);

        PartialRetrieval partial = ask(question("acme", "q2", "vault combination 4711"));
        assertThat(texts(partial)).isNotEmpty().noneMatch(t -> t.contains("4711") || t.contains("Lava"));
        assertThat(Stream.concat(partial.bm25().stream(), partial.vector().stream()))
                .allSatisfy(hit -> assertThat(hit.docVersion()).isEqualTo(5));
    }

    @Test
    void aDeletedDocumentIsGone() throws Exception {
        harness.processElement(upsert("acme", "plants", 1, PLANTS), 0);
        harness.processElement(upsert("acme", "volcanoes", 2, VOLCANOES), 0);

        harness.processElement(delete("acme", "plants", 3), 0);

        EmbeddedQuestion q = question("acme", "q", "photosynthesis in plants");
        assertThat(docIds(ask(q))).containsOnly("volcanoes");
        // Its chunks are gone from state too: an index rebuilt from a snapshot does not bring them back.
        OperatorSubtaskState snapshot = harness.snapshot(1, 1);
        harness.close();
        harness = openHarness(snapshot, 1, 0);
        assertThat(docIds(ask(q))).containsOnly("volcanoes");
    }

    @Test
    void anOlderVersionArrivingLateIsIgnored() throws Exception {
        harness.processElement(upsert("acme", "vault", 7, NEW_CODE), 0);
        harness.processElement(upsert("acme", "vault", 3, OLD_CODE), 0);
        harness.processElement(upsert("acme", "plants", 9, PLANTS), 0);
        harness.processElement(delete("acme", "plants", 10), 0);
        harness.processElement(upsert("acme", "plants", 8, PLANTS), 0);

        PartialRetrieval partial = ask(question("acme", "q", "vault combination 4711 photosynthesis"));
        assertThat(docIds(partial)).containsOnly("vault");
        assertThat(texts(partial)).allMatch(NEW_CODE::equals);
    }

    @Test
    void aDeletesVersionIsForgottenAfterItsTimeToLive() throws Exception {
        harness.setStateTtlProcessingTime(0);
        harness.processElement(upsert("acme", "plants", 9, PLANTS), 0);
        harness.processElement(delete("acme", "plants", 10), 0);
        harness.processElement(delete("acme", "never-existed", 11), 0);
        harness.processElement(upsert("acme", "plants", 8, PLANTS), 0);
        assertThat(docIds(ask(question("acme", "q1", "photosynthesis")))).isEmpty();

        // Kept forever, the versions of deleted ids would grow state with every delete; past the time to live an
        // older upsert is a change like any other.
        harness.setStateTtlProcessingTime(ReplayHorizon.TTL.toMillis() + 1);
        harness.processElement(upsert("acme", "plants", 8, PLANTS), 0);
        assertThat(docIds(ask(question("acme", "q2", "photosynthesis")))).containsOnly("plants");
    }

    @Test
    void tenantsNeverSeeEachOthersChunks() throws Exception {
        harness.processElement(upsert("acme", "plants", 1, PLANTS), 0);
        harness.processElement(upsert("globex", "plants", 2, PLANTS), 0);

        PartialRetrieval partial = ask(question("globex", "q", "photosynthesis"));

        assertThat(Stream.concat(partial.bm25().stream(), partial.vector().stream()))
                .isNotEmpty()
                .allSatisfy(hit -> assertThat(hit.chunkId()).startsWith("globex/plants@2#"));
    }

    @Test
    void eachRankingReturnsUpToTheRankWindowNotJustTopK() throws Exception {
        for (int d = 0; d < 8; d++) {
            harness.processElement(upsert("acme", "doc" + d, d, "Volcano report number " + d + ". " + VOLCANOES), 0);
        }
        EmbeddedQuestion q = question("acme", "q", "volcano report");
        assertThat(q.topK()).isLessThan(8).isLessThan(q.rankWindow());

        PartialRetrieval partial = ask(q);

        // fusion needs the candidates just below top-k of each ranking
        assertThat(partial.bm25()).hasSize(8);
        assertThat(partial.vector()).hasSize(8);
    }

    @Test
    void afterARestoreTheIndexIsRebuiltFromStateAndAnswersTheSame() throws Exception {
        harness.processElement(upsert("acme", "plants", 1, PLANTS), 0);
        harness.processElement(upsert("acme", "volcanoes", 2, VOLCANOES), 0);
        harness.processElement(upsert("acme", "vault", 3, OLD_CODE), 0);
        harness.processElement(upsert("acme", "vault", 4, NEW_CODE), 0);
        EmbeddedQuestion q = question("acme", "q", "How do leaves make food from light in a volcano vault?");
        PartialRetrieval before = ask(q);
        OperatorSubtaskState snapshot = harness.snapshot(1, 1);
        harness.close();

        harness = openHarness(snapshot, 1, 0);
        PartialRetrieval after = ask(q);

        assertThat(after.bm25()).isEqualTo(before.bm25());
        assertThat(after.vector()).isEqualTo(before.vector());
        assertThat(docIds(after)).containsOnly("plants", "volcanoes", "vault");
    }

    @Test
    void aDocumentChangedAfterTheRestoreButBeforeTheRebuildIsIndexedOnce() throws Exception {
        harness.processElement(upsert("acme", "plants", 1, PLANTS), 0);
        harness.processElement(upsert("acme", "vault", 2, OLD_CODE), 0);
        OperatorSubtaskState snapshot = harness.snapshot(1, 1);
        harness.close();

        harness = openHarness(snapshot, 1, 0);
        harness.processElement(upsert("acme", "vault", 3, NEW_CODE), 0);
        harness.processElement(upsert("acme", "volcanoes", 4, VOLCANOES), 0);
        PartialRetrieval partial = ask(question("acme", "q", "vault combination plants volcano"));

        assertThat(partial.vector()).extracting(ScoredChunk::chunkId)
                .containsExactlyInAnyOrder("acme/plants@1#0", "acme/vault@3#0", "acme/volcanoes@4#0");
        assertThat(texts(partial)).noneMatch(t -> t.contains("4711"));
    }

    @Test
    void afterRescalingEachSubtaskAnswersForItsKeysAndTogetherForAll() throws Exception {
        List<String> docIds = new ArrayList<>();
        for (int d = 0; d < 8; d++) {
            docIds.add("doc" + d);
            harness.processElement(upsert("acme", "doc" + d, d, "Volcano report number " + d + ". " + VOLCANOES), 0);
        }
        OperatorSubtaskState snapshot = harness.snapshot(1, 1);
        harness.close();

        EmbeddedQuestion q = question("acme", "q", "volcano report");
        List<String> found = new ArrayList<>();
        for (int subtask = 0; subtask < 2; subtask++) {
            harness = openHarness(
                    AbstractStreamOperatorTestHarness.repartitionOperatorState(snapshot, MAX_PARALLELISM, 1, 2, subtask),
                    2, subtask);
            PartialRetrieval partial = ask(q);
            assertThat(partial.parallelism()).isEqualTo(2);
            assertThat(partial.subtask()).isEqualTo(subtask);
            assertThat(docIds(partial)).isNotEmpty().noneMatch(found::contains);
            found.addAll(docIds(partial));
            harness.close();
        }
        assertThat(found).containsExactlyInAnyOrderElementsOf(docIds);
        harness = openHarness(null, 1, 0); // for @AfterEach
    }

    @Test
    void onlyARestoreRebuildsTheIndexFromState() throws Exception {
        harness.processElement(upsert("acme", "plants", 1, PLANTS), 0);
        harness.processElement(upsert("acme", "volcanoes", 2, VOLCANOES), 0);
        ask(question("acme", "q1", "volcano"));
        assertThat(lastFunction.rebuiltChunks()).as("a job started without state has indexed everything").isZero();
        OperatorSubtaskState snapshot = harness.snapshot(1, 1);
        harness.close();

        harness = openHarness(snapshot, 1, 0);
        ask(question("acme", "q2", "volcano"));

        assertThat(lastFunction.rebuiltChunks()).isEqualTo(2);
    }

    private static KeyedBroadcastOperatorTestHarness<String, DocumentChange, EmbeddedQuestion, PartialRetrieval>
            openHarness(OperatorSubtaskState restoreFrom, int parallelism, int subtask) throws Exception {
        lastFunction = new IndexDocuments();
        var harness = new KeyedBroadcastOperatorTestHarness<>(
                new CoBroadcastWithKeyedOperator<>(lastFunction, List.of()),
                DocumentChange::key, Types.STRING, MAX_PARALLELISM, parallelism, subtask);
        if (restoreFrom != null) {
            harness.initializeState(restoreFrom);
        }
        harness.open();
        return harness;
    }

    private PartialRetrieval ask(EmbeddedQuestion question) throws Exception {
        int before = harness.extractOutputValues().size();
        harness.processBroadcastElement(question, 0);
        List<PartialRetrieval> out = harness.extractOutputValues();
        assertThat(out).hasSize(before + 1);
        return out.get(out.size() - 1);
    }

    private static List<String> texts(PartialRetrieval partial) {
        return Stream.concat(partial.bm25().stream(), partial.vector().stream()).map(ScoredChunk::text).toList();
    }

    private static List<String> docIds(PartialRetrieval partial) {
        return Stream.concat(partial.bm25().stream(), partial.vector().stream())
                .map(ScoredChunk::docId).distinct().toList();
    }
}
