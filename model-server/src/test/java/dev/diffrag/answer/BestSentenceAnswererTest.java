package dev.diffrag.answer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class BestSentenceAnswererTest {

    private static final Passage EIFFEL = new Passage("chunk-eiffel", "  The Eiffel Tower is a wrought-iron lattice tower in Paris. "
            + "It was designed by the engineering company of Gustave Eiffel. It was completed in 1889 for the World's Fair.");
    private static final Passage WHALES = new Passage("chunk-whales", "Blue whales are the largest animals ever known. "
            + "Blue whales feed almost exclusively on krill.");

    private static BestSentenceAnswerer answerer;

    @BeforeAll
    static void loadModel() {
        answerer = new BestSentenceAnswerer(BestSentenceAnswerer.DEFAULT_THRESHOLD);
    }

    @AfterAll
    static void close() {
        answerer.close();
    }

    @Test
    void answersWithTheBestMatchingSentenceVerbatimAndCitesItsOffsets() {
        GroundedAnswer answer = answerer.answer(
                List.of(new AnswerRequest("What do blue whales feed on?", List.of(EIFFEL, WHALES)))).get(0);

        assertThat(answer.abstained()).isFalse();
        assertThat(answer.answer()).isEqualTo("Blue whales feed almost exclusively on krill.");
        assertThat(answer.citation().contextId()).isEqualTo("chunk-whales");
        assertThat(WHALES.text().substring(answer.citation().start(), answer.citation().end()))
                .isEqualTo(answer.answer());
        assertThat(answer.confidence()).isBetween(BestSentenceAnswerer.DEFAULT_THRESHOLD, 1.0);
    }

    @Test
    void keepsRequestOrderInABatch() {
        List<GroundedAnswer> answers = answerer.answer(List.of(
                new AnswerRequest("Who designed the Eiffel Tower?", List.of(WHALES, EIFFEL)),
                new AnswerRequest("Which animal is the largest ever known?", List.of(EIFFEL, WHALES))));

        assertThat(answers).extracting(GroundedAnswer::answer).containsExactly(
                "It was designed by the engineering company of Gustave Eiffel.",
                "Blue whales are the largest animals ever known.");
    }

    @Test
    void abstainsWhenNoSentenceIsSimilarEnough() {
        GroundedAnswer answer = answerer.answer(List.of(
                new AnswerRequest("What is the boiling point of ethanol?", List.of(WHALES)))).get(0);

        assertThat(answer.abstained()).isTrue();
        assertThat(answer.answer()).isNull();
        assertThat(answer.citation()).isNull();
        assertThat(answer.confidence()).isLessThan(BestSentenceAnswerer.DEFAULT_THRESHOLD);
    }

    @Test
    void abstainsWithoutPassagesOrWithBlankOnes() {
        List<GroundedAnswer> answers = answerer.answer(List.of(
                new AnswerRequest("Who designed the Eiffel Tower?", List.of()),
                new AnswerRequest("Who designed the Eiffel Tower?", List.of(new Passage("blank", " \n "))),
                new AnswerRequest("Who designed the Eiffel Tower?", List.of(new Passage("no-break", "\u00A0"),
                        new Passage("zero-width", "\u200B")))));

        assertThat(answers).allSatisfy(answer -> {
            assertThat(answer.abstained()).isTrue();
            assertThat(answer.confidence()).isZero();
        });
    }

    @Test
    void aPassageWhoseSentencesHaveNoContentIsSkippedNotAFailureOfTheBatch() {
        // A Word/PDF bullet glyph, undecodable bytes, a lone combining mark, a variation selector: the embedder has no
        // token for any of them and refused the whole batch.
        List<GroundedAnswer> answers = answerer.answer(Stream.of("\uF0B7", "\uFFFD", "\u0301", "\uFE0F")
                .map(nothing -> new AnswerRequest("What do blue whales feed on?",
                        List.of(new Passage("nothing", nothing), WHALES)))
                .toList());

        assertThat(answers).allSatisfy(answer -> {
            assertThat(answer.answer()).isEqualTo("Blue whales feed almost exclusively on krill.");
            assertThat(answer.citation().contextId()).isEqualTo("chunk-whales");
        });
    }

    @Test
    void thresholdDecidesBetweenAnswerAndAbstention() {
        AnswerRequest request = new AnswerRequest("Who designed the Eiffel Tower?", List.of(EIFFEL));
        double similarity = answerer.answer(List.of(request)).get(0).confidence();

        try (BestSentenceAnswerer strict = new BestSentenceAnswerer(Math.min(1.0, similarity + 0.01))) {
            assertThat(strict.answer(List.of(request)).get(0).abstained()).isTrue();
        }
        assertThatThrownBy(() -> new BestSentenceAnswerer(1.5)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aThresholdThatIsNotANumberIsRefused() {
        // Every comparison with NaN is false: such an answerer never abstained. The pipeline parses
        // diffrag.abstain-threshold with Double.parseDouble, which reads "NaN".
        assertThatThrownBy(() -> new BestSentenceAnswerer(null, Double.NaN))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("NaN");
    }

    @Test
    void splitsSentencesKeepingTrimmedOffsetsIntoThePassage() {
        List<BestSentenceAnswerer.Sentence> sentences = BestSentenceAnswerer.sentences(EIFFEL);

        assertThat(sentences).extracting(BestSentenceAnswerer.Sentence::text).containsExactly(
                "The Eiffel Tower is a wrought-iron lattice tower in Paris.",
                "It was designed by the engineering company of Gustave Eiffel.",
                "It was completed in 1889 for the World's Fair.");
        assertThat(sentences.get(0).start()).isEqualTo(2);
    }

    @Test
    void isNamedAsTheBaseline() {
        assertThat(answerer.name()).isEqualTo("baseline-sentence");
    }

    @Test
    void aSentenceExactlyAtTheThresholdIsAnswered() {
        AnswerRequest request = new AnswerRequest("Who designed the Eiffel Tower?", List.of(EIFFEL));
        double similarity = answerer.answer(List.of(request)).get(0).confidence();

        try (BestSentenceAnswerer atThreshold = new BestSentenceAnswerer(similarity)) {
            assertThat(atThreshold.answer(List.of(request)).get(0).abstained()).isFalse();
        }
    }
}
