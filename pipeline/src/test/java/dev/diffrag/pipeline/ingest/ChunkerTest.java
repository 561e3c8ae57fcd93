package dev.diffrag.pipeline.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.langchain4j.data.document.Document;
import dev.langchain4j.data.document.splitter.DocumentSplitters;
import dev.langchain4j.data.segment.TextSegment;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

class ChunkerTest {

    static Stream<Arguments> texts() {
        return Stream.of(
                Arguments.of("one short sentence", "A short text.", 200, 40),
                Arguments.of("repeated sentences across paragraphs",
                        "First paragraph about rivers. ".repeat(10) + "\n\n" + "Second paragraph about hills. ".repeat(10),
                        200, 40),
                Arguments.of("a repeated passage", ("The same passage again. It repeats word for word.\n\n").repeat(30), 120, 50),
                Arguments.of("odd whitespace between paragraphs and lines",
                        "Alpha line one.\r\n  Alpha line two.\n \n\n\tBeta paragraph,   with  runs of   spaces.\n\n\n"
                                + "Gamma\u00a0uses a no-break space. Delta\u2003em space.\n" + "x".repeat(150),
                        60, 20),
                Arguments.of("one long word split by characters", "y".repeat(500) + " z", 64, 16),
                Arguments.of("random words", randomText(new Random(7), 3_000), 300, 60),
                Arguments.of("random words, no overlap", randomText(new Random(11), 3_000), 250, 0));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("texts")
    void everyChunkIsTheOriginalTextAtItsOffsets(String name, String text, int size, int overlap) {
        List<Chunker.Span> spans = new Chunker(size, overlap).split(text);
        List<TextSegment> segments = DocumentSplitters.recursive(size, overlap).split(Document.from(text));

        // Spans follow the splitter's segments in order, a segment repeated at the same place kept once.
        int next = 0;
        for (TextSegment segment : segments) {
            String expected = withoutWhitespace(segment.text());
            if (next < spans.size() && withoutWhitespace(slice(text, spans.get(next))).equals(expected)) {
                next++;
            } else {
                assertThat(next).as("a repeat of the previous segment").isPositive();
                assertThat(withoutWhitespace(slice(text, spans.get(next - 1)))).isEqualTo(expected);
            }
        }
        assertThat(next).isEqualTo(spans.size());
        for (int i = 0; i < spans.size(); i++) {
            Chunker.Span span = spans.get(i);
            String chunk = slice(text, span);
            assertThat(chunk).isNotBlank().isEqualTo(chunk.strip());
            if (i > 0) {
                assertThat(span).isNotEqualTo(spans.get(i - 1));
                assertThat(span.start()).isGreaterThanOrEqualTo(spans.get(i - 1).start());
                // Overlap with the previous chunk never exceeds the configured characters.
                assertThat(spans.get(i - 1).end() - span.start()).isLessThanOrEqualTo(overlap);
            }
        }
        assertThat(spans.get(0).start()).isEqualTo(text.length() - text.stripLeading().length());
    }

    @Test
    void aLongRunOfCharactersOutsideTheBasicPlaneIsNeverCutInsideOne() {
        // No space to split at: the splitter's last resort cuts by UTF-16 units, between a surrogate pair's halves.
        String text = "\uD83D\uDE00".repeat(300);
        List<Chunker.Span> spans = new Chunker(51, 10).split(text);

        assertThat(spans).isNotEmpty().allSatisfy(span -> {
            assertThat(Character.isLowSurrogate(text.charAt(span.start()))).as("%s starts inside a pair", span).isFalse();
            assertThat(span.end() < text.length() && Character.isLowSurrogate(text.charAt(span.end())))
                    .as("%s ends inside a pair", span).isFalse();
        });
    }

    @Test
    void chunksOfOrdinaryTextCoverItToTheEnd() {
        // Only ordinary words: the splitter's last resort, splitting a word by characters, can skip characters.
        String text = randomText(new Random(3), 2_000);
        List<Chunker.Span> spans = new Chunker(200, 50).split(text);

        assertThat(spans.get(spans.size() - 1).end()).isEqualTo(text.stripTrailing().length());
        for (int i = 1; i < spans.size(); i++) {
            assertThat(spans.get(i).start()).isLessThanOrEqualTo(spans.get(i - 1).end() + 3);
        }
    }

    static Stream<Arguments> periodicTexts() {
        return Stream.of(
                Arguments.of("y".repeat(600), 51, 10),
                Arguments.of("ab".repeat(400), 51, 10),
                Arguments.of("y".repeat(500) + " z", 51, 10),
                Arguments.of("y".repeat(500) + " z", 64, 16),
                Arguments.of("abc".repeat(300) + "\n\n" + "yz".repeat(200), 40, 15),
                Arguments.of("\uD83D\uDE00".repeat(300), 51, 10),
                // Placed end to end, a later segment is no longer found; placed earliest, they leave gaps to window.
                Arguments.of("q" + "\uD83D\uDE00".repeat(5) + "abc".repeat(108) + "\n".repeat(8) + "abc".repeat(3)
                        + "ab".repeat(2) + "y".repeat(63) + "\n".repeat(4), 53, 22));
    }

    @ParameterizedTest
    @MethodSource("periodicTexts")
    void aLongPeriodicRunOfCharactersIsCoveredToTheEnd(String text, int size, int overlap) {
        // The splitter cuts such a run into pieces end to end; placed at their earliest occurrences, each drifted back
        // by the overlap, and "y" x 600 in chunks of 51 ended at 490.
        List<Chunker.Span> spans = new Chunker(size, overlap).split(text);

        assertEveryVisibleCharacterIsInAChunk(text, spans);
        // At most the chunk size, whitespace aside (the splitter collapses a run of line breaks), widened to a whole
        // code point at most.
        assertThat(spans).allSatisfy(span -> assertThat(withoutWhitespace(slice(text, span)).length())
                .isLessThanOrEqualTo(size + 1));
        for (int i = 1; i < spans.size(); i++) {
            assertThat(spans.get(i).start()).isGreaterThanOrEqualTo(spans.get(i - 1).start());
        }
    }

    @Test
    void aShortSegmentIsNotPlacedInsideThePreviousChunksOverlap() {
        // "index" (the last segment) also occurs inside the previous chunk's overlap, where it was once placed,
        // leaving the text's last word in no chunk.
        String text = "query tenant checkpoint.\n\noverlap again vector a of query index a again of again state "
                + "checkpoint version a. kafka. and river again version\nand\nand checkpoint a chunk of and stream "
                + "index index ";
        assertEveryVisibleCharacterIsInAChunk(text, new Chunker(50, 10).split(text));
    }

    @Test
    void smallChunksOfRandomTextLeaveNoVisibleCharacterOut() {
        Random random = new Random(5);
        for (int i = 0; i < 300; i++) {
            String text = randomText(random, 5 + random.nextInt(150));
            assertEveryVisibleCharacterIsInAChunk(text, new Chunker(50, 10).split(text));
        }
    }

    @Test
    void aRepeatedPassageIsLocatedAtEachOfItsOccurrences() {
        String passage = "The same passage again. It repeats word for word.";
        String text = (passage + "\n\n").repeat(5);

        List<Chunker.Span> spans = new Chunker(passage.length(), 0).split(text);

        assertThat(spans).extracting(Chunker.Span::start)
                .containsExactly(0, 51, 102, 153, 204);
        assertThat(spans).allSatisfy(s -> assertThat(text.substring(s.start(), s.end())).isEqualTo(passage));
    }

    @Test
    void nextLineCharactersBetweenParagraphsAreWhitespaceToo() {
        // The splitter breaks paragraphs at U+0085 (NEL) and re-joins them with "\n\n"; neither is a visible character.
        String text = "First line.\u0085\u0085Second line.";

        assertThat(new Chunker(60, 10).split(text)).containsExactly(new Chunker.Span(0, text.length()));
    }

    @Test
    void rejectsBlankTextAndImpossibleSettings() {
        assertThatThrownBy(() -> new Chunker(100, 10).split(" \n ")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Chunker(100, 100)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Chunker(0, 0)).isInstanceOf(IllegalArgumentException.class);
    }

    private static void assertEveryVisibleCharacterIsInAChunk(String text, List<Chunker.Span> spans) {
        boolean[] covered = new boolean[text.length()];
        spans.forEach(span -> Arrays.fill(covered, span.start(), span.end(), true));
        for (int i = 0; i < text.length(); i++) {
            if (!Character.isWhitespace(text.charAt(i))) {
                assertThat(covered[i]).as("character %d of %s", i, text).isTrue();
            }
        }
    }

    private static String slice(String text, Chunker.Span span) {
        return text.substring(span.start(), span.end());
    }

    private static String withoutWhitespace(String s) {
        return s.replaceAll("[\\s\\u00a0\\u2003]", "");
    }

    /** Sentences of random dictionary words, with repeats, in paragraphs of random length. */
    private static String randomText(Random random, int words) {
        String[] vocabulary = {"stream", "state", "river", "index", "the", "a", "of", "checkpoint", "kafka", "lucene",
            "vector", "query", "merge", "again", "and", "document", "version", "chunk", "overlap", "tenant"};
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < words; i++) {
            text.append(vocabulary[random.nextInt(vocabulary.length)]);
            int r = random.nextInt(40);
            text.append(r == 0 ? ".\n\n" : r < 4 ? ". " : r == 4 ? "\n" : " ");
        }
        return text.toString();
    }
}
