package dev.diffrag.reader;

import static org.assertj.core.api.Assertions.assertThat;

import dev.diffrag.answer.GroundedAnswer;
import dev.diffrag.answer.Passage;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Decoded token spans become verbatim quotes at their character offsets, or abstentions. */
class GroundedSpanTest {

    private static ReaderTokenizer tokenizer;

    @BeforeAll
    static void load() {
        tokenizer = new ReaderTokenizer();
    }

    @AfterAll
    static void close() {
        tokenizer.close();
    }

    private static ReaderFeaturizer.Encoded encode(String question, List<Passage> passages) {
        List<ReaderTokenizer.Tokens> tokens = passages.stream().map(p -> tokenizer.tokenize(p.text())).toList();
        ReaderSequence sequence = ReaderSequence.build(tokenizer.tokenize(question), tokens,
                tokenizer.functionWords(), 64, 512);
        return new ReaderFeaturizer.Encoded(sequence, tokens, null, null,
                AnswerType.askedOf(question, passages.stream().map(Passage::text).toList(), tokens, sequence));
    }

    @Test
    void everyTokenSpanIsAVerbatimQuoteAtItsOffsets() {
        List<Passage> passages = List.of(new Passage("c1", "Paris is the capital of France."),
                new Passage("c2", "The Eiffel Tower, built in 1889, is 330 metres tall — in Paris."));
        ReaderFeaturizer.Encoded encoded = encode("When was the Eiffel Tower built?", passages);
        for (int p = 0; p < passages.size(); p++) {
            int tokens = encoded.passageTokens().get(p).size();
            for (int i = 0; i < tokens; i++) {
                for (int j = i; j < Math.min(tokens, i + 5); j++) {
                    GroundedAnswer answer = DiffReaderAnswerer.toAnswer(passages, encoded,
                            new SpanDecoder.Span(p, i, j, 0.9), 0.5);
                    String text = passages.get(p).text();
                    assertThat(answer.citation().contextId()).isEqualTo(passages.get(p).id());
                    assertThat(text.substring(answer.citation().start(), answer.citation().end()))
                            .isEqualTo(answer.answer());
                    assertThat(answer.answer()).isNotBlank().isEqualTo(answer.answer().strip());
                }
            }
        }
        ReaderTokenizer.Tokens second = encoded.passageTokens().get(1);
        int yearToken = Arrays.stream(second.start()).boxed().toList()
                .indexOf(passages.get(1).text().indexOf("1889"));
        GroundedAnswer year = DiffReaderAnswerer.toAnswer(passages, encoded,
                new SpanDecoder.Span(1, yearToken, yearToken, 0.9), 0);
        assertThat(year.answer()).isEqualTo("1889");
        assertThat(year.citation().start()).isEqualTo(27);
    }

    @Test
    void answersKeepTheCombiningMarksThatEndThem() {
        List<Passage> passages = List.of(new Passage("c1", "Rene\u0301 Ne\u0301gre\u0301. He sang."));
        ReaderFeaturizer.Encoded encoded = encode("Who sang?", passages);
        int lastName = 0;
        while (encoded.passageTokens().get(0).end()[lastName + 1] <= "Rene\u0301 Ne\u0301gre".length()) {
            lastName++;
        }
        GroundedAnswer name = DiffReaderAnswerer.toAnswer(passages, encoded,
                new SpanDecoder.Span(0, 0, lastName, 0.9), 0);
        assertThat(name.answer()).isEqualTo("Rene\u0301 Ne\u0301gre\u0301");
        assertThat(name.citation().end()).isEqualTo(13);
    }

    @Test
    void anAnswerEndExtendsOverMarksVariationSelectorsAndJoinersOnly() {
        String text = "x\u0301\u20DD\uFE0F\u200D\uDB40\uDD00 y";
        assertThat(DiffReaderAnswerer.throughAttachedMarks(text, 1)).isEqualTo(7);
        assertThat(DiffReaderAnswerer.throughAttachedMarks(text, 7)).isEqualTo(7);
        assertThat(DiffReaderAnswerer.throughAttachedMarks("ab", 2)).isEqualTo(2);
    }

    @Test
    void abstainsWhenTheConfidenceIsUnderTheThreshold() {
        List<Passage> passages = List.of(new Passage("c1", "Paris is the capital of France."));
        ReaderFeaturizer.Encoded encoded = encode("What is the capital of France?", passages);
        SpanDecoder.Span span = new SpanDecoder.Span(0, 0, 0, 0.4);
        assertThat(DiffReaderAnswerer.toAnswer(passages, encoded, span, 0.39).abstained()).isFalse();
        GroundedAnswer withheld = DiffReaderAnswerer.toAnswer(passages, encoded, span, 0.41);
        assertThat(withheld.abstained()).isTrue();
        assertThat(withheld.answer()).isNull();
        assertThat(withheld.citation()).isNull();
        assertThat(withheld.confidence()).isEqualTo(0.4);
        // No span at all (every passage cut away): abstains whatever the threshold.
        assertThat(DiffReaderAnswerer.toAnswer(passages, encoded, new SpanDecoder.Span(-1, 0, 0, 0), 0)
                .abstained()).isTrue();
    }

    @Test
    void aSpanExactlyAtTheThresholdIsAnswered() {
        List<Passage> passages = List.of(new Passage("c1", "Paris is the capital of France."));
        ReaderFeaturizer.Encoded encoded = encode("What is the capital of France?", passages);
        GroundedAnswer answer = DiffReaderAnswerer.toAnswer(passages, encoded, new SpanDecoder.Span(0, 0, 0, 0.4), 0.4);
        assertThat(answer.abstained()).isFalse();
        assertThat(answer.citation().contextId()).isEqualTo("c1");
        assertThat(answer.answer()).isEqualTo("Paris");
    }
}
