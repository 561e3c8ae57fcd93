package dev.diffrag.pipeline.retrieve;

import static dev.diffrag.pipeline.retrieve.Partials.hit;
import static dev.diffrag.pipeline.retrieve.Partials.partial;
import static dev.diffrag.pipeline.retrieve.Partials.question;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.diffrag.pipeline.index.EmbeddedQuestion;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReciprocalRankFusionTest {

    private final EmbeddedQuestion q = question("q", 3);

    @Test
    void fusesTheGlobalRankingsOfAllSubtasks() {
        // Global BM25 order: a (9), c (7), b (5); global vector order: b (0.9), a (0.8), d (0.1).
        var first = partial(q, 0, 2, List.of(hit("a", 9), hit("b", 5)), List.of(hit("b", 0.9), hit("a", 0.8)));
        var second = partial(q, 1, 2, List.of(hit("c", 7)), List.of(hit("d", 0.1)));

        List<RetrievedPassage> fused = ReciprocalRankFusion.fuse(List.of(first, second), 3, 10);

        assertThat(fused).extracting(RetrievedPassage::docId).containsExactly("a", "b", "c");
        assertThat(fused.get(0).score()).isCloseTo(1.0 / 61 + 1.0 / 62, within(1e-12));
        assertThat(fused.get(1).score()).isCloseTo(1.0 / 63 + 1.0 / 61, within(1e-12));
        assertThat(fused.get(2).score()).isCloseTo(1.0 / 62, within(1e-12));
    }

    @Test
    void aChunkInOneRankingOnlyGetsOneTerm() {
        var only = partial(q, 0, 1, List.of(hit("a", 3)), List.of());

        assertThat(ReciprocalRankFusion.fuse(List.of(only), 3, 10))
                .singleElement()
                .satisfies(p -> assertThat(p.score()).isCloseTo(1.0 / 61, within(1e-12)));
    }

    @Test
    void eachGlobalRankingIsCutAtTheRankWindow() {
        // d is fourth by BM25 and absent from the vector ranking: outside a window of 3 it scores nothing.
        var partial = partial(q, 0, 1,
                List.of(hit("a", 4), hit("b", 3), hit("c", 2), hit("d", 1)),
                List.of(hit("e", 0.9)));

        List<RetrievedPassage> fused = ReciprocalRankFusion.fuse(List.of(partial), 10, 3);

        assertThat(fused).extracting(RetrievedPassage::docId).containsExactlyInAnyOrder("a", "b", "c", "e");
    }

    @Test
    void equalScoresAreOrderedByChunkIdAndOnlyTopKKept() {
        var partial = partial(q, 0, 1, List.of(hit("b", 1), hit("a", 1), hit("c", 1)), List.of());

        assertThat(ReciprocalRankFusion.fuse(List.of(partial), 2, 10))
                .extracting(RetrievedPassage::docId).containsExactly("a", "b");
    }

    @Test
    void theRankWindowReachesBelowTopKSoAChunkSecondInBothRankingsWins() {
        // x: 1/62 + 1/62 beats a or b at 1/61, but only if the rankings are not cut at top-k
        var partial = partial(q, 0, 1, List.of(hit("a", 9), hit("x", 8)), List.of(hit("b", 0.9), hit("x", 0.8)));

        assertThat(ReciprocalRankFusion.fuse(List.of(partial), 1, ReciprocalRankFusion.rankWindow(1)))
                .extracting(RetrievedPassage::docId).containsExactly("x");
    }

    @Test
    void equalFusedScoresAreOrderedByChunkId() {
        // c tops one ranking, b the other: the same score, so which one makes the cut must not depend on hashing
        var partial = partial(q, 0, 1, List.of(hit("c", 5)), List.of(hit("b", 0.9)));

        assertThat(ReciprocalRankFusion.fuse(List.of(partial), 1, 10))
                .extracting(RetrievedPassage::docId).containsExactly("b");
    }

    @Test
    void noHitsGiveNoPassages() {
        assertThat(ReciprocalRankFusion.fuse(List.of(partial(q, 0, 2, List.of(), List.of())), 3, 12)).isEmpty();
    }
}
