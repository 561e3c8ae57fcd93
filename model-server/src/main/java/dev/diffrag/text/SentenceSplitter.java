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
     * The sentences of {@code text} in order, with surrounding blank characters (see {@link #blank(int)}) and the
     * combining marks on them trimmed off the offsets; sentences without {@linkplain #hasContent content} are dropped,
     * and one over {@link #MAX_SENTENCE_CHARS} is cut into pieces at its last blank within the limit (at the limit
     * where it has none).
     */
    public static List<Span> split(String text) {
        BreakIterator boundaries = BreakIterator.getSentenceInstance(Locale.ROOT);
        // A trailing space, because at the very end of a text the JDK's iterator breaks before a full stop followed by
        // a symbol: "He left. 😀" gave "He left", "." and "😀", where "He left. 😀 " gives one sentence, as the same
        // words do in the middle of a text. No boundary of cnndm-250 or XQuAD moves.
        boundaries.setText(text + " ");
        List<Span> sentences = new ArrayList<>();
        for (int start = boundaries.first(), end = boundaries.next();
                end != BreakIterator.DONE;
                start = end, end = boundaries.next()) {
            Span sentence = trimmed(text, Math.min(start, text.length()), Math.min(end, text.length()));
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

    /** {@code [start, end)} trimmed as {@link #split} says; null when it has no content. */
    private static Span trimmed(String text, int start, int end) {
        int s = start;
        // Leading marks too: none has a letter of this sentence to sit on.
        while (s < end && !content(text.codePointAt(s))) {
            s += Character.charCount(text.codePointAt(s));
        }
        return s < end ? new Span(s, trimmedEnd(text, s, end)) : null;
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
     * Whether {@code text} has a character that is neither {@linkplain #blank blank} nor a combining mark: text without
     * one has no token for the sentence embedder (it refuses to embed it) and nothing to ask or answer.
     */
    public static boolean hasContent(String text) {
        return text.codePoints().anyMatch(SentenceSplitter::content);
    }

    /**
     * {@code end} moved back over blank characters, and over combining marks on them; marks on a letter stay with it
     * (U+0301 after "e", U+FE0F after an emoji). The character at {@code start} is content: the span stays non-empty.
     */
    private static int trimmedEnd(String text, int start, int end) {
        int trimmed = end;
        for (int at = end; at > start; ) {
            int codePoint = text.codePointBefore(at);
            at -= Character.charCount(codePoint);
            if (blank(codePoint)) {
                trimmed = at;
            } else if (!mark(codePoint)) {
                break;
            }
        }
        return trimmed;
    }

    private static boolean content(int codePoint) {
        return !blank(codePoint) && !mark(codePoint);
    }

    /**
     * Whitespace, including what {@link Character#isWhitespace} leaves out (no-break spaces), and the characters the
     * sentence embedder's tokenizer drops: controls, format characters such as U+200B, unpaired surrogates, private-use
     * glyphs (U+F0B7, the bullet of Word's Symbol font) and U+FFFD, the mark of undecodable bytes.
     */
    static boolean blank(int codePoint) {
        return Character.isWhitespace(codePoint) || Character.isSpaceChar(codePoint) || codePoint == 0xFFFD
                || switch (Character.getType(codePoint)) {
                    case Character.FORMAT, Character.CONTROL, Character.SURROGATE, Character.PRIVATE_USE -> true;
                    default -> false;
                };
    }

    /**
     * A combining mark, variation selectors (U+FE0F) included: it belongs to the character before it, and alone is
     * nothing (the tokenizer drops most, and reads the rest as [UNK]).
     */
    private static boolean mark(int codePoint) {
        return switch (Character.getType(codePoint)) {
            case Character.NON_SPACING_MARK, Character.ENCLOSING_MARK, Character.COMBINING_SPACING_MARK -> true;
            default -> false;
        };
    }
}
