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
}
