package dev.diffrag.text;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class SentenceSplitterTest {

    @Test
    void offsetsAreVerbatimSpansWithoutSurroundingWhitespace() {
        String text = "  First one.  Second one!\nThird? ";
        List<SentenceSplitter.Span> spans = SentenceSplitter.split(text);

        assertThat(spans).containsExactly(new SentenceSplitter.Span(2, 12), new SentenceSplitter.Span(14, 25),
                new SentenceSplitter.Span(26, 32));
        assertThat(spans).extracting(span -> span.of(text)).containsExactly("First one.", "Second one!", "Third?");
    }

    @Test
    void blankTextHasNoSentences() {
        assertThat(SentenceSplitter.split(" \n\t ")).isEmpty();
        assertThat(SentenceSplitter.split("")).isEmpty();
    }

    @Test
    void noBreakSpacesAndFormatCharactersAreTrimmedLikeWhitespace() {
        assertThat(SentenceSplitter.split("\u00A0")).isEmpty();
        assertThat(SentenceSplitter.split("\u200B")).isEmpty();
        assertThat(SentenceSplitter.split(" \u00A0\n\u200B\u2007\uFEFF\u0000\uD800 ")).isEmpty();
        String text = "\u00A0\nFirst one.\u00A0 \n\u200BSecond one.\u202F\r\n";
        assertThat(SentenceSplitter.split(text)).extracting(span -> span.of(text))
                .containsExactly("First one.", "Second one.");
    }

    @Test
    void keepsPunctuationOnlySentencesAndCharactersOutsideTheBmp() {
        assertThat(SentenceSplitter.split(" ...\u00A0")).containsExactly(new SentenceSplitter.Span(1, 4));
        String text = "Stop. Go 😀\u200B";
        assertThat(SentenceSplitter.split(text)).extracting(span -> span.of(text)).containsExactly("Stop.", "Go 😀");
    }

    @Test
    void keepsTypographicQuotesAndNumbersInsideSentences() {
        String text = "He paid $3.50 for it. ‘I’d do it again,’ he said.";
        assertThat(SentenceSplitter.split(text)).extracting(span -> span.of(text))
                .containsExactly("He paid $3.50 for it.", "‘I’d do it again,’ he said.");
    }

    @Test
    void aSentenceOverTheLimitIsCutAtItsLastBlankWithinIt() {
        StringBuilder words = new StringBuilder();
        for (int i = 0; words.length() < 5 * SentenceSplitter.MAX_SENTENCE_CHARS; i++) {
            words.append("word").append(i).append(i % 7 == 0 ? "\n" : " ");
        }
        String text = words.toString();
        List<SentenceSplitter.Span> spans = SentenceSplitter.split(text);

        assertThat(spans).hasSizeBetween(5, 7).allSatisfy(span -> {
            assertThat(span.end() - span.start()).isBetween(1, SentenceSplitter.MAX_SENTENCE_CHARS);
            assertThat(span.of(text)).startsWith("word").matches("(?s).*word\\d+");
        });
        // every word is in exactly one piece, in order
        assertThat(String.join(" ", spans.stream().map(span -> span.of(text)).toList()).split("\\s+"))
                .containsExactly(text.strip().split("\\s+"));
    }

    @Test
    void aSentenceOverTheLimitWithoutBlanksIsCutAtTheLimitButNeverInsideASurrogatePair() {
        String letters = "x".repeat(2 * SentenceSplitter.MAX_SENTENCE_CHARS + 500);
        assertThat(SentenceSplitter.split(letters)).extracting(span -> span.end() - span.start())
                .containsExactly(SentenceSplitter.MAX_SENTENCE_CHARS, SentenceSplitter.MAX_SENTENCE_CHARS, 500);

        String emoji = "a" + "😀".repeat(SentenceSplitter.MAX_SENTENCE_CHARS);
        List<SentenceSplitter.Span> spans = SentenceSplitter.split(emoji);
        assertThat(spans).hasSizeGreaterThan(1).allSatisfy(span -> {
            assertThat(Character.isLowSurrogate(emoji.charAt(span.start()))).isFalse();
            assertThat(Character.isHighSurrogate(emoji.charAt(span.end() - 1))).isFalse();
        });
        assertThat(spans.stream().map(span -> span.of(emoji)).reduce("", String::concat)).isEqualTo(emoji);
    }
}
