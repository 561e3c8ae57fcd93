package dev.diffrag.reader.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

class SquadMetricsTest {

    @Test
    void normalisationLowercasesAndDropsPunctuationArticlesAndExtraSpace() {
        assertThat(SquadMetrics.normalize("  The  Eiffel-Tower, an ICON!  ")).isEqualTo("eiffeltower icon");
        assertThat(SquadMetrics.normalize("A theatre")).isEqualTo("theatre"); // "the" inside a word stays
    }

    @Test
    void exactMatchTakesTheBestGold() {
        assertThat(SquadMetrics.exactMatch("the Denver Broncos", List.of("Broncos", "Denver Broncos"))).isEqualTo(1);
        assertThat(SquadMetrics.exactMatch("Denver", List.of("Denver Broncos"))).isEqualTo(0);
    }

    @Test
    void tokenF1MatchesHandComputedValues() {
        // prediction {denver, broncos, team} vs gold {denver, broncos}: P = 2/3, R = 1, F1 = 0.8
        assertThat(SquadMetrics.f1("the Denver Broncos team", List.of("Denver Broncos"))).isCloseTo(0.8, within(1e-9));
        // {in, 1901} vs {1901}: P = 1/2, R = 1, F1 = 2/3; the other gold gives 0; the maximum wins
        assertThat(SquadMetrics.f1("in 1901", List.of("1901", "Röntgen"))).isCloseTo(2.0 / 3, within(1e-9));
        // repeated tokens count once per occurrence: {paris, paris} vs {paris}: P = 1/2, R = 1
        assertThat(SquadMetrics.f1("Paris Paris", List.of("Paris"))).isCloseTo(2.0 / 3, within(1e-9));
        assertThat(SquadMetrics.f1("London", List.of("Paris"))).isZero();
        assertThat(SquadMetrics.f1("the", List.of("Paris"))).isZero();
    }
}
