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

    @Test
    void whitespaceAndWordBoundariesAreUnicodeAsInTheOfficialPythonScript() {
        // Python's str.split() splits at every Unicode space (no-break and thin spaces, U+3000, U+2028, U+0085,
        // U+001C), and its re \b sees letters and numbers of every script as word characters, marks as not.
        assertThat(SquadMetrics.normalize("Category\u00A04")).isEqualTo("category 4");
        assertThat(SquadMetrics.normalize("\u3000Paris\u2028France\u0085x\u2009y\u001Cz"))
                .isEqualTo("paris france x y z");
        assertThat(SquadMetrics.normalize("a\u00BD \u2167a")).isEqualTo("a\u00BD \u2177a");
        assertThat(SquadMetrics.normalize("the\u0301 end")).isEqualTo("\u0301 end");
        assertThat(SquadMetrics.exactMatch("Category 4", List.of("Category\u00A04"))).isEqualTo(1);
        assertThat(SquadMetrics.f1("10\u00A0km", List.of("10 km"))).isEqualTo(1);
    }

    @Test
    void aLetterOutsideTheBasicPlaneBeforeAnArticleMakesItPartOfAWord() {
        // As Python reads them: U+20000 (a CJK letter) and U+1D400 (mathematical bold A) are word characters, so
        // "a" after them is no article; an emoji is none, so "a" after it is one.
        assertThat(SquadMetrics.normalize("\uD840\uDC00a")).isEqualTo("\uD840\uDC00a");
        assertThat(SquadMetrics.normalize("\uD835\uDC00an x")).isEqualTo("\uD835\uDC00an x");
        assertThat(SquadMetrics.normalize("\uD83D\uDE00a")).isEqualTo("\uD83D\uDE00");
        assertThat(SquadMetrics.exactMatch("\uD840\uDC00a", List.of("\uD840\uDC00"))).isZero();
    }
}
