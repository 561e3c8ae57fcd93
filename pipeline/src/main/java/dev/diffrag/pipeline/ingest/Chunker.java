package dev.diffrag.pipeline.ingest;

import dev.langchain4j.data.document.Document;
import dev.langchain4j.data.document.DocumentSplitter;
import dev.langchain4j.data.document.splitter.DocumentSplitters;
import dev.langchain4j.data.segment.TextSegment;
import java.util.ArrayList;
import java.util.List;

/**
 * Splits a text with LangChain4j's recursive splitter (paragraphs, then lines, sentences, words, characters) and maps
 * every segment back to its character span in the original text.
 *
 * <p>The splitter does not report offsets, and its segments are not always substrings of the input: it trims parts
 * and re-joins them with its own delimiters ({@code "\n\n"}, {@code " "}). So each segment is located by comparing
 * non-whitespace characters only, searching forward from where the previous segment's overlap can begin. Searching
 * forward (never from 0) keeps repeated passages apart; the span returned covers the original characters, whitespace
 * included, so {@code text.substring(start, end)} is the exact original passage. A segment repeated at the same
 * place is kept once.
 */
public final class Chunker {

    /** A chunk's position in the original text: {@code [start, end)}. */
    public record Span(int start, int end) {}

    private final DocumentSplitter splitter;
    private final int chunkOverlap;

    public Chunker(int chunkSize, int chunkOverlap) {
        if (chunkSize <= 0 || chunkOverlap < 0 || chunkOverlap >= chunkSize) {
            throw new IllegalArgumentException(
                    "need 0 <= chunkOverlap < chunkSize, got size " + chunkSize + ", overlap " + chunkOverlap);
        }
        this.splitter = DocumentSplitters.recursive(chunkSize, chunkOverlap);
        this.chunkOverlap = chunkOverlap;
    }

    /**
     * The spans of the chunks of {@code text} in order.
     *
     * @throws IllegalArgumentException if the text has no visible character or a segment cannot be found in it
     */
    public List<Span> split(String text) {
        Compacted original = Compacted.of(text);
        if (original.chars.isEmpty()) {
            throw new IllegalArgumentException("text has only whitespace and control characters");
        }
        List<Span> spans = new ArrayList<>();
        int searchFrom = 0; // in compacted characters
        for (TextSegment segment : splitter.split(Document.from(text))) {
            String needle = Compacted.of(segment.text()).chars;
            if (needle.isEmpty()) {
                continue;
            }
            int at = original.chars.indexOf(needle, searchFrom);
            if (at < 0) {
                throw new IllegalArgumentException("chunk " + spans.size() + " not found in the original text");
            }
            int last = at + needle.length() - 1;
            Span span = new Span(original.offsets[at], original.offsets[last] + 1);
            if (spans.isEmpty() || !spans.get(spans.size() - 1).equals(span)) {
                spans.add(span); // the splitter sometimes repeats a short segment; one copy is enough
            }
            // The next segment begins with an overlap of at most `chunkOverlap` characters taken from the end of this
            // one, possibly all of it (the splitter may emit a lone overlap sentence and then start over from it).
            searchFrom = Math.max(at, last + 1 - chunkOverlap);
        }
        return spans;
    }

    /** Whether {@code text} has a character the splitter keeps, that is, whether it has any chunk at all. */
    public static boolean hasVisibleText(String text) {
        return text.chars().anyMatch(c -> !Compacted.isGap((char) c));
    }

    /** A text without whitespace, remembering where each remaining character was. */
    private record Compacted(String chars, int[] offsets) {

        static Compacted of(String text) {
            StringBuilder chars = new StringBuilder(text.length());
            int[] offsets = new int[text.length()];
            for (int i = 0; i < text.length(); i++) {
                char c = text.charAt(i);
                if (!isGap(c)) {
                    offsets[chars.length()] = i;
                    chars.append(c);
                }
            }
            return new Compacted(chars.toString(), offsets);
        }

        /** Everything the splitter may trim or replace by a delimiter: ASCII controls, spaces and line breaks. */
        private static boolean isGap(char c) {
            return c <= ' ' || c == '\u0085' || Character.isWhitespace(c) || Character.isSpaceChar(c);
        }
    }
}
