package dev.diffrag.summarize;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class MmrSelectorTest {

    private static final float[] FIRST = {1, 0, 0};
    private static final float[] OTHER = {0, 1, 0};

    @Test
    void aDuplicateOfAChosenSentenceLosesToALessSalientNewOne() {
        List<MmrSelector.Candidate> candidates = List.of(
                new MmrSelector.Candidate(0.9, FIRST, 5),
                new MmrSelector.Candidate(0.9, FIRST.clone(), 5), // the same sentence again
                new MmrSelector.Candidate(0.5, OTHER, 5));
        // λ 0.7: duplicate 0.63 − 0.3·1 = 0.33 < new 0.35 − 0 = 0.35
        assertThat(new MmrSelector(0.7).select(candidates, SummaryBudget.sentences(2))).containsExactly(0, 2);
        // without the redundancy penalty the duplicate wins: the penalty is what removes it
        assertThat(new MmrSelector(1.0).select(candidates, SummaryBudget.sentences(2))).containsExactly(0, 1);
    }

    @Test
    void resultIsInDocumentOrderNotPickOrder() {
        List<MmrSelector.Candidate> candidates = List.of(
                new MmrSelector.Candidate(0.2, FIRST, 5),
                new MmrSelector.Candidate(0.9, OTHER, 5));
        assertThat(new MmrSelector(1.0).select(candidates, SummaryBudget.sentences(2))).containsExactly(0, 1);
        assertThat(new MmrSelector(1.0).select(candidates, SummaryBudget.sentences(1))).containsExactly(1);
    }

    @Test
    void aTokenBudgetSkipsSentencesThatDoNotFit() {
        List<MmrSelector.Candidate> candidates = List.of(
                new MmrSelector.Candidate(0.9, FIRST, 4),
                new MmrSelector.Candidate(0.8, OTHER, 3),
                new MmrSelector.Candidate(0.1, new float[] {0, 0, 1}, 1));
        assertThat(new MmrSelector(1.0).select(candidates, new SummaryBudget(3, 5))).containsExactly(0, 2);
        assertThat(SummaryBudget.tokens("  two  words ")).isEqualTo(2);
    }

    @Test
    void redundancyIsToTheMostSimilarChosenSentenceNotTheLastOne() {
        List<MmrSelector.Candidate> candidates = List.of(
                new MmrSelector.Candidate(0.9, FIRST, 5),
                new MmrSelector.Candidate(0.8, OTHER, 5),
                new MmrSelector.Candidate(0.85, FIRST.clone(), 5), // repeats the first pick, not the second
                new MmrSelector.Candidate(0.5, new float[] {0, 0, 1}, 5));
        // λ 0.7, third pick: duplicate 0.595 − 0.3·1 = 0.295 < new 0.35
        assertThat(new MmrSelector(0.7).select(candidates, SummaryBudget.sentences(3))).containsExactly(0, 1, 3);
    }

    @Test
    void aSentenceOpposedToEveryPickIsPenalisedByItsMostSimilarPickNotByZero() {
        List<MmrSelector.Candidate> candidates = List.of(
                new MmrSelector.Candidate(0.9, FIRST, 5),
                new MmrSelector.Candidate(0.5, OTHER, 5),                   // orthogonal to the pick: cosine 0
                new MmrSelector.Candidate(0.45, new float[] {-1, 0, 0}, 5)); // opposed to it: cosine −1
        // λ 0.7, second pick: orthogonal 0.35 − 0.3·0 = 0.35 < opposed 0.315 − 0.3·(−1) = 0.615; a redundancy floored
        // at 0 scored the opposed one 0.315 and picked the orthogonal one
        assertThat(new MmrSelector(0.7).select(candidates, SummaryBudget.sentences(2))).containsExactly(0, 2);
    }

    @Test
    void lambdaZeroPicksForDiversityAloneAndLambdaOneForSalienceAlone() {
        List<MmrSelector.Candidate> candidates = List.of(
                new MmrSelector.Candidate(0.1, FIRST, 5),
                new MmrSelector.Candidate(0.9, FIRST.clone(), 5),
                new MmrSelector.Candidate(0.5, OTHER, 5));
        // λ 0: every first pick scores 0, the earliest wins; then the one least like it
        assertThat(new MmrSelector(0).select(candidates, SummaryBudget.sentences(2))).containsExactly(0, 2);
        assertThat(new MmrSelector(1).select(candidates, SummaryBudget.sentences(2))).containsExactly(1, 2);
    }
}
