package dev.diffrag.text;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import dev.langchain4j.model.embedding.onnx.allminilml6v2.AllMiniLmL6V2EmbeddingModel;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
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
    void sentencesOfOnlyPrivateUseGlyphsReplacementCharactersOrCombiningMarksAreDropped() {
        // A Word/PDF bullet, undecodable bytes, lone marks, a variation selector: no token for the embedder.
        for (String nothing : List.of("\uF0B7", "\uFFFD", "\u0301", "\u20DD", "\u0903", "\uFE0F", "\uDB80\uDC00",
                " \u0301\uFE0F\u00A0\u0301")) {
            assertThat(SentenceSplitter.split(nothing)).as(nothing).isEmpty();
            assertThat(SentenceSplitter.hasContent(nothing)).as(nothing).isFalse();
        }
        String text = "\uF0B7 Neptune is the eighth planet.\n\u0301";
        assertThat(SentenceSplitter.split(text)).extracting(span -> span.of(text))
                .containsExactly("Neptune is the eighth planet.");
    }

    @Test
    void combiningMarksStayWithTheirLetterAndGoWithTrimmedWhitespace() {
        String text = "Cafe\u0301 \u0301 Go \u2764\uFE0F\u00A0\uFE0F";
        assertThat(SentenceSplitter.split(text)).extracting(span -> span.of(text))
                .containsExactly("Cafe\u0301 \u0301 Go \u2764\uFE0F");
        assertThat(SentenceSplitter.hasContent("\u0301?")).isTrue();
    }

    @Test
    void everyCharacterWithContentHasATokenForTheSentenceEmbedder() throws Exception {
        // The tokenizer of all-MiniLM-L6-v2, loaded as LangChain4j loads it: a sentence it gives no token fails the
        // embedding of a whole batch. (Java and the tokenizer disagree on a few newer marks and format characters,
        // which the tokenizer keeps; treating them as no content loses nothing.)
        List<String> withContent = IntStream.rangeClosed(0, Character.MAX_CODE_POINT).mapToObj(Character::toString)
                .filter(SentenceSplitter::hasContent).toList();
        List<String> tokenless = new ArrayList<>();
        try (InputStream json =
                        AllMiniLmL6V2EmbeddingModel.class.getResourceAsStream("/all-minilm-l6-v2-tokenizer.json");
                HuggingFaceTokenizer tokenizer = HuggingFaceTokenizer.newInstance(json, Map.of("padding", "false"))) {
            for (int from = 0; from < withContent.size(); from += 4096) {
                List<String> batch = withContent.subList(from, Math.min(withContent.size(), from + 4096));
                Encoding[] encodings = tokenizer.batchEncode(batch, false, false);
                for (int i = 0; i < batch.size(); i++) {
                    if (encodings[i].getTokens().length == 0) {
                        tokenless.add(String.format("U+%04X", batch.get(i).codePointAt(0)));
                    }
                }
            }
        }
        assertThat(withContent).hasSizeGreaterThan(900_000);
        assertThat(tokenless).isEmpty();
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
    void aSentenceOfExactlyTheLimitIsNotCut() {
        String words = "word ".repeat(SentenceSplitter.MAX_SENTENCE_CHARS / 5 - 1) + "last.";
        assertThat(words).hasSize(SentenceSplitter.MAX_SENTENCE_CHARS);

        assertThat(SentenceSplitter.split(words)).containsExactly(
                new SentenceSplitter.Span(0, SentenceSplitter.MAX_SENTENCE_CHARS));
    }

    @Test
    void aSentenceOverTheLimitWithoutBlanksIsCutAtTheLimitButNeverInsideASurrogatePair() {
        String letters = "x".repeat(2 * SentenceSplitter.MAX_SENTENCE_CHARS + 500);
        assertThat(SentenceSplitter.split(letters)).extracting(span -> span.end() - span.start())
                .containsExactly(SentenceSplitter.MAX_SENTENCE_CHARS, SentenceSplitter.MAX_SENTENCE_CHARS, 500);

        String emoji = "a" + "😀".repeat(SentenceSplitter.MAX_SENTENCE_CHARS);
        List<SentenceSplitter.Span> spans = SentenceSplitter.split(emoji);
        // the limit falls between the halves of an emoji: the first piece ends before it, one char short
        assertThat(spans.get(0)).isEqualTo(new SentenceSplitter.Span(0, SentenceSplitter.MAX_SENTENCE_CHARS - 1));
        assertThat(spans).hasSizeGreaterThan(1).allSatisfy(span -> {
            assertThat(span.end() - span.start()).isLessThanOrEqualTo(SentenceSplitter.MAX_SENTENCE_CHARS);
            assertThat(Character.isLowSurrogate(emoji.charAt(span.start()))).isFalse();
            assertThat(Character.isHighSurrogate(emoji.charAt(span.end() - 1))).isFalse();
        });
        assertThat(spans.stream().map(span -> span.of(emoji)).reduce("", String::concat)).isEqualTo(emoji);
    }

    @Test
    void aFullStopBeforeASymbolAtTheEndStaysInItsSentence() {
        for (String text : List.of("He left. 😀", "Neptune is the eighth planet. \u2022", "Done. 🎉🎉")) {
            assertThat(SentenceSplitter.split(text)).extracting(span -> span.of(text))
                    .as(text).containsExactly(text).noneMatch("."::equals);
        }
    }
}
