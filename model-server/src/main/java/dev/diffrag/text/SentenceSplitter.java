package dev.diffrag.text;

import java.text.BreakIterator;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Splits text into sentences with character offsets ({@link BreakIterator}, root locale), so that every sentence is
 * a verbatim span: {@code text.substring(span.start(), span.end())}. Shared by the answerer and the summarizers.
 */
public final class SentenceSplitter {

    /** {@code [start, end)} character offsets of one sentence, surrounding blank characters excluded. */
    public record Span(int start, int end) {
        public String of(String text) {
            return text.substring(start, end);
        }
    }

    private SentenceSplitter() {}

    /**
     * The sentences of {@code text} in order, with surrounding blank characters (see {@link #blank(int)}) trimmed off
     * the offsets; sentences left empty are dropped.
     */
    public static List<Span> split(String text) {
        BreakIterator boundaries = BreakIterator.getSentenceInstance(Locale.ROOT);
        boundaries.setText(text);
        List<Span> sentences = new ArrayList<>();
        for (int start = boundaries.first(), end = boundaries.next();
                end != BreakIterator.DONE;
                start = end, end = boundaries.next()) {
            int s = start;
            int e = end;
            while (s < e && blank(text.codePointAt(s))) {
                s += Character.charCount(text.codePointAt(s));
            }
            while (e > s && blank(text.codePointBefore(e))) {
                e -= Character.charCount(text.codePointBefore(e));
            }
            if (s < e) {
                sentences.add(new Span(s, e));
            }
        }
        return sentences;
    }

    /**
     * Whitespace, including what {@link Character#isWhitespace} leaves out (no-break spaces), and the invisible
     * characters tokenizers drop (controls, format characters such as U+200B, unpaired surrogates): a sentence made
     * only of them has no token, and the sentence embedders refuse to embed it.
     */
    static boolean blank(int codePoint) {
        return Character.isWhitespace(codePoint) || Character.isSpaceChar(codePoint)
                || switch (Character.getType(codePoint)) {
                    case Character.FORMAT, Character.CONTROL, Character.SURROGATE -> true;
                    default -> false;
                };
    }
}
