package dev.diffrag.eval;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class NearDuplicatesTest {

    private static final String STORY = "The river flooded the old town on Monday, and the mayor asked every family "
            + "near the bridge to leave before the water rose again in the night.";

    @Test
    void anEditedCopyIsTheSameTextAndAnotherStoryIsNot() {
        String edited = STORY.replace("Monday", "Tuesday").replace(" ", "  ") + " Schools stay closed.";
        String other = "The council approved a new budget for the library, the park and the swimming pool after a "
                + "long debate that lasted until midnight.";

        assertThat(NearDuplicates.same(NearDuplicates.fingerprint(STORY), NearDuplicates.fingerprint(edited)))
                .isTrue();
        assertThat(NearDuplicates.same(NearDuplicates.fingerprint(STORY), NearDuplicates.fingerprint(other)))
                .isFalse();
    }

    @Test
    void fingerprintsAreLowerCasedWordEightGramsAndAShortTextIsItsWordSequence() {
        assertThat(NearDuplicates.fingerprint("One two three four five six seven eight nine"))
                .containsExactlyInAnyOrder("one two three four five six seven eight",
                        "two three four five six seven eight nine");
        assertThat(NearDuplicates.fingerprint("Only, four  short words")).containsExactly("only four short words");
    }

    @Test
    void moreThanHalfOfTheSmallerFingerprintMustBeShared() {
        assertThat(NearDuplicates.same(Set.of("a", "b"), Set.of("a", "c", "d"))).as("half").isFalse();
        assertThat(NearDuplicates.same(Set.of("a", "b", "c"), Set.of("a", "b", "x", "y", "z"))).as("two of three")
                .isTrue();
        assertThat(NearDuplicates.same(Set.of("a", "b", "x", "y", "z"), Set.of("a", "b", "c"))).as("either order")
                .isTrue();
        assertThat(NearDuplicates.same(Set.of(), Set.of())).isFalse();
    }

    @Test
    void sameAsAnyLooksAtEveryOther() {
        Set<String> story = NearDuplicates.fingerprint(STORY);

        assertThat(NearDuplicates.sameAsAny(story, List.of(Set.of("x"), NearDuplicates.fingerprint(STORY)))).isTrue();
        assertThat(NearDuplicates.sameAsAny(story, List.of(Set.of("x")))).isFalse();
        assertThat(NearDuplicates.sameAsAny(story, List.of())).isFalse();
    }
}
