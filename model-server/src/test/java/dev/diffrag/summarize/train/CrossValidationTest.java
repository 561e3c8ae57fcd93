package dev.diffrag.summarize.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class CrossValidationTest {

    @Test
    void foldsAreBalancedSeededAndCoverEveryArticle() {
        int[] folds = CrossValidation.folds(175, 5, 7);
        assertThat(IntStream.range(0, 5).map(f -> (int) Arrays.stream(folds).filter(x -> x == f).count()).toArray())
                .containsOnly(35);
        assertThat(CrossValidation.folds(175, 5, 7)).isEqualTo(folds);
        assertThat(CrossValidation.folds(175, 5, 8)).isNotEqualTo(folds);
        assertThatThrownBy(() -> CrossValidation.folds(3, 5, 7)).isInstanceOf(IllegalArgumentException.class);
    }
}
