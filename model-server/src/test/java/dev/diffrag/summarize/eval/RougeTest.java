package dev.diffrag.summarize.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Hand-computed values (the working is in the comments). */
class RougeTest {

    @Test
    void tokensAreLowerCaseAlphanumericRuns() {
        assertThat(Rouge.tokens("Locke's 39-year-old \"Killie\" DEFENDER."))
                .containsExactly("locke", "s", "39", "year", "old", "killie", "defender");
    }

    @Test
    void unigramBigramAndLcs() {
        // candidate: the cat sat on the mat (6 tokens); reference: the cat was on the mat today (7 tokens)
        Rouge.Scores scores = Rouge.score("The cat sat on the mat.", "the cat was on the mat today");
        // unigrams: the×2, cat, on, mat = 5 → P 5/6, R 5/7, F = 2·(25/42)/(65/42) = 10/13
        assertThat(scores.rouge1()).isCloseTo(10.0 / 13, within(1e-12));
        // bigrams: {the cat, on the, the mat} = 3 of 5 candidate, 6 reference → P 3/5, R 1/2, F = 6/11
        assertThat(scores.rouge2()).isCloseTo(6.0 / 11, within(1e-12));
        // LCS: the cat on the mat = 5 → same as unigrams here
        assertThat(scores.rougeL()).isCloseTo(10.0 / 13, within(1e-12));
    }

    @Test
    void countsAreClippedToTheReference() {
        // "the" ×3 against one "the": overlap 1 → P 1/3, R 1/2, F = 0.4; no shared bigram
        Rouge.Scores scores = Rouge.score("the the the", "the cat");
        assertThat(scores.rouge1()).isCloseTo(0.4, within(1e-12));
        assertThat(scores.rouge2()).isZero();
        assertThat(scores.rougeL()).isCloseTo(0.4, within(1e-12));
    }

    @Test
    void lcsIsOrderSensitiveWhereUnigramsAreNot() {
        Rouge.Scores scores = Rouge.score("a b c d", "d c b a");
        assertThat(scores.rouge1()).isCloseTo(1.0, within(1e-12));
        assertThat(scores.rougeL()).isCloseTo(0.25, within(1e-12)); // LCS 1 of 4 both ways
        // LCS across the whole summary, not per sentence: "x y . z" vs "x z" → LCS 2, P 2/3, R 1 → F 0.8
        assertThat(Rouge.score("x y. z", "x z").rougeL()).isCloseTo(0.8, within(1e-12));
    }

    @Test
    void emptyCandidateScoresZeroAndMeanAverages() {
        assertThat(Rouge.score("", "the cat").rouge1()).isZero();
        Rouge.Scores mean = Rouge.mean(List.of("the cat", ""), List.of("the cat", "the cat"));
        assertThat(mean.rouge1()).isCloseTo(0.5, within(1e-12));
        assertThat(mean.rouge2()).isCloseTo(0.5, within(1e-12));
    }
}
