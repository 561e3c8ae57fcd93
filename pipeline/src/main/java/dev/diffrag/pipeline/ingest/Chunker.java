package dev.diffrag.pipeline.ingest;

import dev.langchain4j.data.document.Document;
import dev.langchain4j.data.document.DocumentSplitter;
import dev.langchain4j.data.document.splitter.DocumentSplitters;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Splits a text with LangChain4j's recursive splitter (paragraphs, then lines, sentences, words, characters) and maps
 * every segment back to its character span in the original text.
 *
 * <p>The splitter does not report offsets, and its segments are not always substrings of the input: it trims parts
 * and re-joins them with its own delimiters ({@code "\n\n"}, {@code " "}). So each segment is located by comparing
 * non-whitespace characters only, searching forward from where the previous segment's overlap can begin, at the
 * earliest occurrence that leaves no visible character out of every chunk. Searching forward (never from 0) keeps
 * repeated passages apart; the span returned covers the original characters, whitespace included, so
 * {@code text.substring(start, end)} is the exact original passage. A segment repeated at the same place is kept once.
 *
 * <p>When the search finds no placement that leaves every visible character in a chunk (a long periodic run such as
 * one character repeated makes it give up, and the splitter's last resort can drop characters), the segments are
 * placed end to end where they can be (as the splitter cut such a run), else at their earliest occurrences, and
 * whatever is still in no chunk gets chunks of its own: windows of {@code chunkSize} characters overlapping by
 * {@code chunkOverlap}, trimmed of whitespace and widened to whole code points. So every visible character is always
 * in some chunk.
 */
public final class Chunker {

    /** A chunk's position in the original text: {@code [start, end)}. */
    public record Span(int start, int end) {}

    private final DocumentSplitter splitter;
    private final int chunkSize;
    private final int chunkOverlap;

    public Chunker(int chunkSize, int chunkOverlap) {
        if (chunkSize <= 0 || chunkOverlap < 0 || chunkOverlap >= chunkSize) {
            throw new IllegalArgumentException(
                    "need 0 <= chunkOverlap < chunkSize, got size " + chunkSize + ", overlap " + chunkOverlap);
        }
        this.splitter = DocumentSplitters.recursive(chunkSize, chunkOverlap);
        this.chunkSize = chunkSize;
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
        List<String> needles = splitter.split(Document.from(text)).stream()
                .map(segment -> Compacted.of(segment.text()).chars)
                .filter(needle -> !needle.isEmpty())
                .toList();
        int[] starts = placeCoveringEverything(original.chars, needles);
        if (starts == null) {
            starts = placeEndToEnd(original.chars, needles);
        }
        if (starts == null) {
            starts = placeEarliest(original.chars, needles);
        }
        List<Span> spans = new ArrayList<>();
        for (int i = 0; i < needles.size(); i++) {
            int last = starts[i] + needles.get(i).length() - 1;
            Span span = wholeCodePoints(text, original.offsets[starts[i]], original.offsets[last] + 1);
            if (spans.isEmpty() || !spans.get(spans.size() - 1).equals(span)) {
                spans.add(span); // the splitter sometimes repeats a short segment; one copy is enough
            }
        }
        return withUncoveredTextChunked(text, spans);
    }

    /**
     * The spans, with windows of the chunk size (overlapping by the chunk overlap) over every stretch of visible
     * characters that none of them covers, in order of their starts.
     */
    private List<Span> withUncoveredTextChunked(String text, List<Span> spans) {
        boolean[] covered = new boolean[text.length()];
        spans.forEach(span -> Arrays.fill(covered, span.start(), span.end(), true));
        List<Span> all = new ArrayList<>(spans);
        int i = 0;
        while (i < text.length()) {
            if (covered[i] || Compacted.isGap(text.charAt(i))) {
                i++;
                continue;
            }
            int end = i;
            while (end < text.length() && !covered[end]) {
                end++;
            }
            addWindows(text, i, end, all);
            i = end;
        }
        all.sort(Comparator.comparingInt(Span::start).thenComparingInt(Span::end));
        return all;
    }

    /** Windows over {@code [from, to)}, each trimmed of whitespace, none blank. */
    private void addWindows(String text, int from, int to, List<Span> spans) {
        for (int start = from; ; start += chunkSize - chunkOverlap) {
            int end = Math.min(start + chunkSize, to);
            int first = start;
            int last = end;
            while (first < last && Compacted.isGap(text.charAt(first))) {
                first++;
            }
            while (last > first && Compacted.isGap(text.charAt(last - 1))) {
                last--;
            }
            if (first < last) {
                spans.add(wholeCodePoints(text, first, last));
            }
            if (end == to) {
                return;
            }
        }
    }

    /**
     * The span widened to whole code points: the splitter's last resort cuts by UTF-16 units, so a segment can begin or
     * end between the two halves of a character outside the Basic Multilingual Plane (an emoji).
     */
    private static Span wholeCodePoints(String text, int start, int end) {
        if (start > 0 && Character.isLowSurrogate(text.charAt(start)) && Character.isHighSurrogate(text.charAt(start - 1))) {
            start--;
        }
        if (end < text.length() && Character.isLowSurrogate(text.charAt(end))
                && Character.isHighSurrogate(text.charAt(end - 1))) {
            end++;
        }
        return new Span(start, end);
    }

    /**
     * Where each segment begins in {@code chars}: the earliest placement in which each one begins within what the
     * segments before it cover (no visible character left out) and the last reaches the end. A short segment can also
     * occur inside the previous one's overlap, so an occurrence that leaves a gap later sends the search back to the
     * next occurrence. Null if no such placement is found: the splitter's last resort, cutting a long word into
     * characters, can drop some.
     */
    private int[] placeCoveringEverything(String chars, List<String> needles) {
        int n = needles.size();
        int[] starts = new int[n];
        int[] searchFrom = new int[n + 1]; // for segment i: where its overlap with segment i - 1 can begin
        int[] covered = new int[n + 1]; // for segment i: the end of what segments 0..i-1 cover
        // States from which no placement completes; the rest of the search depends on nothing else.
        Set<DeadEnd> deadEnds = new HashSet<>();
        int i = 0;
        int from = 0;
        while (i >= 0) {
            if (i == n && covered[n] == chars.length()) {
                return starts;
            }
            int at = i == n ? -1 : occurrenceBeginningBy(chars, needles.get(i), from, covered[i]);
            if (at >= 0) {
                starts[i] = at;
                searchFrom[i + 1] = nextSearchFrom(at, needles.get(i));
                covered[i + 1] = Math.max(covered[i], at + needles.get(i).length());
                if (deadEnds.contains(new DeadEnd(i + 1, searchFrom[i + 1], covered[i + 1]))) {
                    from = at + 1;
                } else {
                    i++;
                    from = i < n ? searchFrom[i] : 0;
                }
                continue;
            }
            // No occurrence begins within what is covered: back to the previous segment's next one.
            deadEnds.add(new DeadEnd(i, searchFrom[i], covered[i]));
            if (deadEnds.size() > MAX_DEAD_ENDS_PER_SEGMENT * (n + 1)) {
                return null; // a pathological text (one character repeated): keep chunking linear
            }
            i--;
            from = i >= 0 ? starts[i] + 1 : 0;
        }
        return null;
    }

    private static final int MAX_DEAD_ENDS_PER_SEGMENT = 16;

    /**
     * The first occurrence of {@code needle} beginning in {@code [from, last]}, or -1; bounded, unlike
     * {@link String#indexOf(String, int)}, so that a dead end costs no scan to the end of the text.
     */
    private static int occurrenceBeginningBy(String chars, String needle, int from, int last) {
        for (int at = from; at <= last; at++) {
            if (chars.startsWith(needle, at)) {
                return at;
            }
        }
        return -1;
    }

    /** The last occurrence of {@code needle} beginning in {@code [from, last]}, or -1; bounded like the one above. */
    private static int latestOccurrenceBeginningIn(String chars, String needle, int from, int last) {
        for (int at = last; at >= from; at--) {
            if (chars.startsWith(needle, at)) {
                return at;
            }
        }
        return -1;
    }

    private record DeadEnd(int segment, int searchFrom, int covered) {}

    /**
     * Each segment, from where the previous one's overlap can begin, at its latest occurrence beginning within what the
     * segments before it cover (so that pieces cut from a periodic run lie end to end instead of drifting back by the
     * overlap each), or else at its earliest occurrence after that, leaving a gap. Null if a segment is not found
     * after the previous one placed so late.
     */
    private int[] placeEndToEnd(String chars, List<String> needles) {
        int[] starts = new int[needles.size()];
        int searchFrom = 0;
        int covered = 0;
        for (int i = 0; i < needles.size(); i++) {
            String needle = needles.get(i);
            starts[i] = latestOccurrenceBeginningIn(chars, needle, searchFrom, covered);
            if (starts[i] < 0) {
                starts[i] = chars.indexOf(needle, searchFrom);
            }
            if (starts[i] < 0) {
                return null;
            }
            searchFrom = nextSearchFrom(starts[i], needle);
            covered = Math.max(covered, starts[i] + needle.length());
        }
        return starts;
    }

    /** The earliest occurrence of each segment from where the previous one's overlap can begin, gaps or not. */
    private int[] placeEarliest(String chars, List<String> needles) {
        int[] starts = new int[needles.size()];
        int searchFrom = 0;
        for (int i = 0; i < needles.size(); i++) {
            starts[i] = chars.indexOf(needles.get(i), searchFrom);
            if (starts[i] < 0) {
                throw new IllegalArgumentException("chunk " + i + " not found in the original text");
            }
            searchFrom = nextSearchFrom(starts[i], needles.get(i));
        }
        return starts;
    }

    /**
     * The next segment begins with an overlap of at most {@code chunkOverlap} characters taken from the end of this
     * one, possibly all of it (the splitter may emit a lone overlap sentence and then start over from it).
     */
    private int nextSearchFrom(int at, String needle) {
        return Math.max(at, at + needle.length() - chunkOverlap);
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
        static boolean isGap(char c) {
            return c <= ' ' || c == '\u0085' || Character.isWhitespace(c) || Character.isSpaceChar(c);
        }
    }
}
