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

    /**
     * Longest sentence, in characters. Text without sentence punctuation (a table, a log, a list of keywords) is one
     * sentence to {@link BreakIterator} however long: five such documents of 420,000 characters made a digest over
     * Kafka's 1 MB record limit, and the sentence embedders read only a sentence's first 256 tokens anyway.
     */
    public static final int MAX_SENTENCE_CHARS = 2_000;

    private SentenceSplitter() {}

    /**
     * The sentences of {@code text} in order, with surrounding blank characters (see {@link #blank(int)}) trimmed off
     * the offsets; sentences left empty are dropped, and one over {@link #MAX_SENTENCE_CHARS} is cut into pieces at
     * its last blank within the limit (at the limit where it has none).
     */
    public static List<Span> split(String text) {
        BreakIterator boundaries = BreakIterator.getSentenceInstance(Locale.ROOT);
        boundaries.setText(text);
        List<Span> sentences = new ArrayList<>();
        for (int start = boundaries.first(), end = boundaries.next();
                end != BreakIterator.DONE;
                start = end, end = boundaries.next()) {
            Span sentence = trimmed(text, start, end);
            while (sentence != null && sentence.end() - sentence.start() > MAX_SENTENCE_CHARS) {
                int cut = lastCut(text, sentence.start(), sentence.start() + MAX_SENTENCE_CHARS);
                sentences.add(trimmed(text, sentence.start(), cut));
                sentence = trimmed(text, cut, sentence.end());
            }
            if (sentence != null) {
                sentences.add(sentence);
            }
        }
        return sentences;
    }

    /** {@code [start, end)} without its surrounding blank characters; null when nothing else is left. */
    private static Span trimmed(String text, int start, int end) {
        int s = start;
        int e = end;
        while (s < e && blank(text.codePointAt(s))) {
            s += Character.charCount(text.codePointAt(s));
        }
        while (e > s && blank(text.codePointBefore(e))) {
            e -= Character.charCount(text.codePointBefore(e));
        }
        return s < e ? new Span(s, e) : null;
    }

    /**
     * Where to cut a too long sentence starting at {@code start} (not blank): after its last blank character up to
     * {@code limit}, else at {@code limit}, moved back off the middle of a surrogate pair.
     */
    private static int lastCut(String text, int start, int limit) {
        for (int i = limit; i > start + 1; i--) {
            char c = text.charAt(i - 1);
            if (!Character.isSurrogate(c) && blank(c)) {
                return i;
            }
        }
        return Character.isHighSurrogate(text.charAt(limit - 1)) ? limit - 1 : limit;
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
