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

    /** {@code [start, end)} character offsets of one sentence, surrounding whitespace excluded. */
    public record Span(int start, int end) {
        public String of(String text) {
            return text.substring(start, end);
        }
    }

    private SentenceSplitter() {}

    /** The sentences of {@code text} in order, with surrounding whitespace trimmed off the offsets; blank ones dropped. */
    public static List<Span> split(String text) {
        BreakIterator boundaries = BreakIterator.getSentenceInstance(Locale.ROOT);
        boundaries.setText(text);
        List<Span> sentences = new ArrayList<>();
        for (int start = boundaries.first(), end = boundaries.next();
                end != BreakIterator.DONE;
                start = end, end = boundaries.next()) {
            int s = start;
            int e = end;
            while (s < e && Character.isWhitespace(text.charAt(s))) {
                s++;
            }
            while (e > s && Character.isWhitespace(text.charAt(e - 1))) {
                e--;
            }
            if (s < e) {
                sentences.add(new Span(s, e));
            }
        }
        return sentences;
    }
}
