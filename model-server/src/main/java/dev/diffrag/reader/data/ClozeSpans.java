package dev.diffrag.reader.data;

import java.util.Random;

/** Chooses the span of a sentence that a {@link Cloze} question hides, and the question word that takes its place. */
public interface ClozeSpans {

    /** {@code [start, end)} in the sentence. */
    record HiddenSpan(int start, int end, String questionWord) {}

    /** A span of the sentence worth asking for, drawn with {@code random}; null when it has none. */
    HiddenSpan draw(String sentence, Random random);
}
