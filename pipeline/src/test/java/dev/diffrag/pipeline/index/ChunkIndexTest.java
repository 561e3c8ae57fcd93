package dev.diffrag.pipeline.index;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.diffrag.pipeline.ingest.Chunk;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ChunkIndexTest {

    private static final float[] NORTH = {1, 0, 0};
    private static final float[] EAST = {0, 1, 0};
    private static final float[] UP = {0, 0, 1};

    private final ChunkIndex index = new ChunkIndex();

    @AfterEach
    void close() throws Exception {
        index.close();
    }

    @Test
    void findsChunksByBm25AndByVector() {
        index.replace("acme/rivers", "acme", List.of(
                chunk("acme", "rivers", 1, 0, "Rivers carry water to the sea.", NORTH),
                chunk("acme", "rivers", 1, 1, "Deltas form where rivers slow down.", EAST)));
        index.replace("acme/hills", "acme", List.of(chunk("acme", "hills", 1, 0, "Hills are eroded by wind.", UP)));

        ChunkIndex.Hits hits = index.search("acme", "where do deltas form?", new float[] {0.1f, 0.2f, 0.9f}, 10);

        assertThat(hits.bm25()).extracting(ScoredChunk::chunkId).containsExactly("acme/rivers@1#1");
        assertThat(hits.bm25().get(0).score()).isPositive();
        assertThat(hits.vector()).extracting(ScoredChunk::chunkId)
                .containsExactly("acme/hills@1#0", "acme/rivers@1#1", "acme/rivers@1#0");
        ScoredChunk best = hits.vector().get(0);
        assertThat(best).isEqualTo(new ScoredChunk("acme/hills@1#0", "hills", 1, 0, 25, "Hills are eroded by wind.",
                best.score()));
        assertThat(index.chunkCount()).isEqualTo(3);
    }

    @Test
    void aChunkWithAnUnpairedSurrogateIsRetrievedAsItWasIndexed() {
        // Half of an emoji (a producer that cut a string by UTF-16 units): JSON can carry it, Lucene's UTF-8 cannot.
        String text = "Emoji \ud83d cut in half, and \udc00 the other half.";
        index.replace("acme/cut", "acme", List.of(chunk("acme", "cut", 1, 0, text, NORTH),
                chunk("acme", "cut", 1, 1, "An emoji \ud83d\ude00 whole.", EAST)));

        ChunkIndex.Hits hits = index.search("acme", "emoji half", NORTH, 10);

        assertThat(hits.bm25()).extracting(ScoredChunk::text)
                .containsExactlyInAnyOrder(text, "An emoji \ud83d\ude00 whole.");
        assertThat(hits.vector()).extracting(ScoredChunk::text).first().isEqualTo(text);
    }

    @Test
    void anUpsertWithFewerChunksLeavesNoOrphans() {
        index.replace("acme/doc", "acme", List.of(
                chunk("acme", "doc", 1, 0, "Old alpha text.", NORTH),
                chunk("acme", "doc", 1, 1, "Old beta text.", EAST),
                chunk("acme", "doc", 1, 2, "Old gamma text.", UP)));
        assertThat(index.search("acme", "beta", EAST, 10).bm25()).hasSize(1);

        index.replace("acme/doc", "acme", List.of(chunk("acme", "doc", 2, 0, "New delta text.", NORTH)));

        ChunkIndex.Hits hits = index.search("acme", "alpha beta gamma delta text", EAST, 10);
        assertThat(hits.bm25()).extracting(ScoredChunk::chunkId).containsExactly("acme/doc@2#0");
        assertThat(hits.vector()).extracting(ScoredChunk::chunkId).containsExactly("acme/doc@2#0");
        assertThat(index.chunkCount()).isEqualTo(1);
    }

    @Test
    void aDeleteRemovesEveryChunkOfTheKeyOnly() {
        index.replace("acme/a", "acme", List.of(chunk("acme", "a", 1, 0, "Shared words here.", NORTH),
                chunk("acme", "a", 1, 1, "More shared words.", EAST)));
        index.replace("acme/b", "acme", List.of(chunk("acme", "b", 1, 0, "Shared words too.", UP)));

        index.delete("acme/a");

        ChunkIndex.Hits hits = index.search("acme", "shared words", NORTH, 10);
        assertThat(hits.bm25()).extracting(ScoredChunk::docId).containsExactly("b");
        assertThat(hits.vector()).extracting(ScoredChunk::docId).containsExactly("b");
        assertThat(index.chunkCount()).isEqualTo(1);
    }

    @Test
    void aDeleteAloneIsSeenByTheNextSearch() {
        index.replace("acme/a", "acme", List.of(chunk("acme", "a", 1, 0, "Shared words here.", NORTH)));
        assertThat(index.search("acme", "shared words", NORTH, 10).bm25()).hasSize(1);

        index.delete("acme/a"); // no other change in between that would refresh the searcher anyway

        ChunkIndex.Hits hits = index.search("acme", "shared words", NORTH, 10);
        assertThat(hits.bm25()).isEmpty();
        assertThat(hits.vector()).isEmpty();
    }

    @Test
    void aQuestionOnlySeesItsTenant() {
        index.replace("acme/doc", "acme", List.of(chunk("acme", "doc", 1, 0, "Identical secret text.", NORTH)));
        index.replace("globex/doc", "globex", List.of(chunk("globex", "doc", 2, 0, "Identical secret text.", NORTH)));

        ChunkIndex.Hits acme = index.search("acme", "identical secret text", NORTH, 10);
        ChunkIndex.Hits globex = index.search("globex", "identical secret text", NORTH, 10);
        ChunkIndex.Hits nobody = index.search("initech", "identical secret text", NORTH, 10);

        assertThat(acme.bm25()).extracting(ScoredChunk::chunkId).containsExactly("acme/doc@1#0");
        assertThat(acme.vector()).extracting(ScoredChunk::chunkId).containsExactly("acme/doc@1#0");
        assertThat(globex.bm25()).extracting(ScoredChunk::chunkId).containsExactly("globex/doc@2#0");
        assertThat(globex.vector()).extracting(ScoredChunk::chunkId).containsExactly("globex/doc@2#0");
        assertThat(nobody.bm25()).isEmpty();
        assertThat(nobody.vector()).isEmpty();
    }

    @Test
    void anotherTenantsDocumentsDoNotChangeATenantsBm25Ranking() {
        index.replace("acme/merger", "acme", List.of(chunk("acme", "merger", 1, 0, "Merger report.", NORTH)));
        index.replace("acme/takeover", "acme", List.of(chunk("acme", "takeover", 1, 0, "Takeover report.", EAST)));
        List<ScoredChunk> alone = index.search("acme", "merger takeover", UP, 10).bm25();

        // Another tenant writes "merger" often: were its chunks counted, "merger" would be the commoner word for acme
        // too, acme's ranking would follow globex's vocabulary (and reveal it).
        for (int d = 0; d < 5; d++) {
            index.replace("globex/d" + d, "globex", List.of(chunk("globex", "d" + d, 1, 0, "Merger news " + d, UP)));
        }

        assertThat(index.search("acme", "merger takeover", UP, 10).bm25()).isEqualTo(alone);
    }

    @Test
    void aQuestionOfStopWordsOnlyHasNoBm25HitsButVectorHits() {
        index.replace("acme/doc", "acme", List.of(chunk("acme", "doc", 1, 0, "The river.", NORTH)));

        ChunkIndex.Hits hits = index.search("acme", "the of and", NORTH, 10);

        assertThat(hits.bm25()).isEmpty();
        assertThat(hits.vector()).hasSize(1);
    }

    @Test
    void aDocumentWithoutAnyIndexedTermCanBeChangedAfterItsTenantsOtherDocumentsAreGone() {
        // "???" and stop words are valid text but give BM25 no term; the tenant's statistics reach zero without them.
        index.replace("acme/marks", "acme", List.of(chunk("acme", "marks", 1, 0, "???", NORTH)));
        index.replace("acme/river", "acme", List.of(chunk("acme", "river", 2, 0, "The river.", EAST)));
        index.delete("acme/river");

        index.replace("acme/marks", "acme", List.of(chunk("acme", "marks", 3, 0, "To be or not to be.", UP)));
        index.delete("acme/marks");
        index.replace("acme/river", "acme", List.of(chunk("acme", "river", 4, 0, "The river.", EAST)));

        assertThat(index.search("acme", "river", EAST, 10).bm25()).extracting(ScoredChunk::chunkId)
                .containsExactly("acme/river@4#0");
        assertThat(index.chunkCount()).isEqualTo(1);
    }

    @Test
    void theTermsAtTheEndOfAQuestionOfMoreTokensThanBooleanClausesStillCount() {
        index.replace("acme/delta", "acme", List.of(chunk("acme", "delta", 1, 0, "河流三角洲", NORTH)));
        index.replace("acme/other", "acme", List.of(chunk("acme", "other", 1, 0, "山脉", EAST)));
        // Every Han character is a token: 1,100 tokens before the question proper, within the default 2,000 chars.
        String question = "天气很好。".repeat(275) + "三角洲在哪里？";

        assertThat(index.search("acme", question, UP, 10).bm25()).extracting(ScoredChunk::chunkId)
                .containsExactly("acme/delta@1#0");
    }

    @Test
    void aRepeatedQuestionTermWeighsAsOftenAsItIsRepeated() {
        index.replace("acme/river", "acme", List.of(chunk("acme", "river", 1, 0, "The river.", NORTH)));
        index.replace("acme/delta", "acme", List.of(chunk("acme", "delta", 1, 0, "The delta.", EAST)));

        List<ScoredChunk> once = index.search("acme", "river delta", UP, 10).bm25();
        List<ScoredChunk> twice = index.search("acme", "river river delta", UP, 10).bm25();

        assertThat(once.get(0).score()).isEqualTo(once.get(1).score());
        assertThat(twice).extracting(ScoredChunk::chunkId).containsExactly("acme/river@1#0", "acme/delta@1#0");
        assertThat(twice.get(0).score()).isCloseTo(2 * twice.get(1).score(), within(1e-6));
    }

    @Test
    void aWordTypedWithACombiningAccentIsTheSameTermAsItsPrecomposedForm() {
        index.replace("acme/menu", "acme", List.of(chunk("acme", "menu", 1, 0, "The caf\u00e9 opens at nine.", NORTH)));
        index.replace("acme/other", "acme", List.of(chunk("acme", "other", 1, 0, "The bakery opens late.", EAST)));
        // "cafe" + U+0301, as macOS file names and some editors write it.
        index.replace("acme/decomposed", "acme",
                List.of(chunk("acme", "decomposed", 1, 0, "Our cafe\u0301 has no menu.", EAST)));

        assertThat(index.search("acme", "caf\u00e9", UP, 10).bm25()).extracting(ScoredChunk::docId)
                .containsExactlyInAnyOrder("menu", "decomposed");
        assertThat(index.search("acme", "Which cafe\u0301?", UP, 10).bm25()).extracting(ScoredChunk::text)
                .containsExactlyInAnyOrder("The caf\u00e9 opens at nine.", "Our cafe\u0301 has no menu."); // as written
    }

    @Test
    void returnsAtMostKHitsPerRanking() {
        for (int d = 0; d < 5; d++) {
            index.replace("acme/d" + d, "acme", List.of(chunk("acme", "d" + d, 1, 0, "common word " + d, NORTH)));
        }

        ChunkIndex.Hits hits = index.search("acme", "common word", NORTH, 3);

        assertThat(hits.bm25()).hasSize(3);
        assertThat(hits.vector()).hasSize(3);
    }

    static Chunk chunk(String tenant, String docId, long version, int n, String text, float[] vector) {
        return new Chunk(Chunk.id(tenant, docId, version, n), docId, version, 0, text.length(), text, vector);
    }
}
