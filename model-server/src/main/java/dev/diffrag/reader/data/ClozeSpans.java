package dev.diffrag.reader.data;

import java.util.Random;

/** Chooses the span of a sentence that a {@link Cloze} question hides, and the question word that takes its place. */
public interface ClozeSpans {

    /** {@code [start, end)} in the sentence. */
    record HiddenSpan(int start, int end, String questionWord) {}

    /** A span of the sentence worth asking for, drawn with {@code random}; null when it has none. */
    HiddenSpan draw(String sentence, Random random);

    /**
     * A span of another kind than {@code target} (another question word) that does not overlap it, drawn with
     * {@code random}; null when the sentence has none.
     */
    HiddenSpan decoy(String sentence, HiddenSpan target, Random random);

    /** Whether two spans share a character. */
    static boolean overlap(HiddenSpan a, HiddenSpan b) {
        return a.start() < b.end() && b.start() < a.end();
    }
}
