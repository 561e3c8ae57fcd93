package dev.diffrag.reader.data;

import static org.assertj.core.api.Assertions.assertThat;

import dev.diffrag.answer.Passage;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ClozeAndDistractorsTest {

    private static final Cloze CLOZE = new Cloze(new NamesAndNumbers(), Cloze.Form.IN_PLACE);

    private static final Passage TEXT = new Passage("p", "The first Nobel Prize in Physics was awarded in 1901 to "
            + "Wilhelm Conrad Röntgen, of Germany, who received 150,782 SEK. John Bardeen is the only laureate to win "
            + "the prize twice, in 1956 and 1972. Short one.");

    @Test
    void clozeHidesASpanThatOccursInThePassageAtItsOffsets() {
        for (int seed = 0; seed < 30; seed++) {
            List<ReaderExample> made = CLOZE.questions(TEXT, 1, new Random(seed));
            assertThat(made).hasSize(1);
            ReaderExample example = made.get(0);
            String hidden = example.answerText();
            assertThat(TEXT.text().substring(example.answerStart(), example.answerEnd())).isEqualTo(hidden);
            assertThat(example.answers()).containsExactly(hidden);
            assertThat(example.question()).endsWith("?").containsAnyOf("what year", "how many", "who or what");
            // The question is its sentence with the span replaced: the words around the span are kept.
            String before = TEXT.text().substring(Math.max(0, example.answerStart() - 8), example.answerStart()).strip();
            assertThat(example.question()).contains(before.substring(before.lastIndexOf(' ') + 1));
        }
    }

    @Test
    void frontedNoisyQuestionsStartWithTheQuestionWordAndKeepOnlyWordsOfTheSentenceOutsideTheSpan() {
        Cloze fronted = new Cloze(new NamesAndNumbers(), Cloze.Form.FRONTED_NOISY);
        int reordered = 0;
        int shortened = 0;
        Random random = new Random(7);
        for (int i = 0; i < 200; i++) {
            ReaderExample example = fronted.questions(TEXT, 1, random).get(0);
            String text = TEXT.text();
            int sentenceStart = text.lastIndexOf(". ", example.answerStart()) + 1;
            int sentenceEnd = text.indexOf('.', example.answerEnd());
            String outside = (text.substring(sentenceStart, example.answerStart()) + " "
                    + text.substring(example.answerEnd(), sentenceEnd)).strip();
            String question = example.question();
            String questionWord = List.of("what year", "how many", "who or what").stream()
                    .filter(question::startsWith).findFirst().orElseThrow();
            List<String> words = words(question.substring(questionWord.length()));
            List<String> original = words(outside);
            assertThat(original).containsAll(words);
            assertThat(words.size()).isLessThanOrEqualTo(original.size());
            reordered += words.equals(original.stream().filter(words::contains).toList()) ? 0 : 1;
            shortened += words.size() < original.size() ? 1 : 0;
        }
        // Nearly every question of ~18 words gets some words shuffled; each word is dropped with probability 0.1, so
        // about 0.9^18 = 15% keep them all.
        assertThat(reordered).isGreaterThan(180);
        assertThat(shortened).isBetween(140, 195);
    }

    @Test
    void twoGapQuestionsDropASecondSpanOfAnotherKindHalfTheTimeAndPutTheQuestionWordFirst() {
        Cloze twoGaps = new Cloze(new NamesAndNumbers(), Cloze.Form.TWO_GAPS);
        Random random = new Random(3);
        String text = TEXT.text();
        int firstSentenceEnd = text.indexOf("SEK.");
        int firstSentence = 0;
        int withDecoy = 0;
        for (int i = 0; i < 400; i++) {
            ReaderExample example = twoGaps.questions(TEXT, 1, random).get(0);
            assertThat(text.substring(example.answerStart(), example.answerEnd())).isEqualTo(example.answerText());
            boolean inFirst = example.answerStart() <= firstSentenceEnd;
            firstSentence += inFirst ? 1 : 0;
            String question = example.question();
            String questionWord = List.of("what year", "how many", "who or what").stream()
                    .filter(question::startsWith).findFirst().orElse(null);
            if (questionWord == null) { // in place: neither sentence of TEXT starts with a span
                assertThat(question).containsAnyOf("what year", "how many", "who or what");
                continue;
            }
            // The second sentence has only years ("John Bardeen" opens it, so it is no name span): no decoy there.
            assertThat(inFirst).isTrue();
            withDecoy++;
            // The rest of the question is the sentence without the answer and without one more span, the decoy.
            int sentenceStart = text.lastIndexOf(". ", example.answerStart()) + 1;
            String sentence = text.substring(sentenceStart, text.indexOf('.', example.answerEnd()) + 1);
            String lacking = normalised(sentence.substring(0, example.answerStart() - sentenceStart) + " "
                    + sentence.substring(example.answerEnd() - sentenceStart));
            String rest = normalised(question.substring(questionWord.length()));
            int prefix = 0;
            while (prefix < rest.length() && rest.charAt(prefix) == lacking.charAt(prefix)) {
                prefix++;
            }
            String decoy = lacking.substring(prefix, lacking.length() - (rest.length() - prefix)).strip();
            assertThat(lacking).endsWith(rest.substring(prefix));
            assertThat(decoy).isNotBlank().doesNotContain(" to ").isNotEqualTo(example.answerText());
            // It is of another kind: a year is never the decoy of a year question, nor a name of a name question.
            if (questionWord.equals("what year")) {
                assertThat(decoy).doesNotMatch("1[5-9]\\d\\d|20\\d\\d");
            }
            if (questionWord.equals("who or what")) {
                assertThat(decoy).matches("[\\d,]+");
            }
        }
        // The first sentence has years, numbers and names, so about half its questions get a decoy.
        assertThat(firstSentence).isGreaterThan(60);
        assertThat((double) withDecoy / firstSentence).isBetween(0.35, 0.65);
    }

    /** Single-spaced, without the final punctuation that a question loses. */
    private static String normalised(String text) {
        return text.replaceAll("\\s+", " ").strip().replaceAll("[\\s.!?;:,\"'”’]+$", "");
    }

    @Test
    void taggedPhrasesFindADecoyOfAnotherKindOnlyWhereTheSentenceHasOne() {
        TaggedPhrases phrases = new TaggedPhrases();
        String sentence = "In 1901 Wilhelm Röntgen received the first prize in physics.";
        ClozeSpans.HiddenSpan year = new ClozeSpans.HiddenSpan(3, 7, "what year");
        for (int seed = 0; seed < 20; seed++) {
            ClozeSpans.HiddenSpan decoy = phrases.decoy(sentence, year, new Random(seed));
            assertThat(decoy.questionWord()).isNotEqualTo("what year");
            assertThat(ClozeSpans.overlap(decoy, year)).isFalse();
        }
        assertThat(phrases.decoy("It was built in 1901 and then again.", new ClozeSpans.HiddenSpan(16, 20, "what year"),
                new Random(1))).isNull();
    }

    /** Words without the final punctuation that the question's last word loses (a lone "." is no word). */
    private static List<String> words(String text) {
        return List.of(text.strip().split("\\s+")).stream().map(w -> w.replaceAll("[.!?;:,\"'”’]+$", ""))
                .filter(w -> !w.isEmpty()).toList();
    }

    @Test
    void sentenceInitialWordsAreNotHidden() {
        Passage passage = new Passage("p", "Yesterday it rained in the valley for many long hours.");
        assertThat(CLOZE.questions(passage, 3, new Random(1))).isEmpty();
    }

    @Test
    void severalQuestionsOfOnePassageAskAboutDifferentSentences() {
        for (int seed = 0; seed < 10; seed++) {
            // Two sentences qualify ("Short one." is too short), so asking for three gives two.
            List<ReaderExample> made = CLOZE.questions(TEXT, 3, new Random(seed));
            assertThat(made).hasSize(2);
            assertThat(made.stream().map(e -> TEXT.text().indexOf("John Bardeen") <= e.answerStart()))
                    .containsExactlyInAnyOrder(true, false);
        }
    }

    @Test
    void unanswerableExamplesLackEveryAnswerAndLongOnesKeepTheGoldSpan() {
        List<Passage> pool = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            pool.add(new Passage("d" + i, i % 2 == 0 ? "Bardeen won it in 1956, number " + i + "."
                    : "A passage about rivers and mountains, number " + i + "."));
        }
        Distractors distractors = new Distractors(pool);
        ReaderExample gold = ReaderExample.single("Who won twice?", TEXT, TEXT.text().indexOf("John Bardeen"),
                TEXT.text().indexOf("John Bardeen") + "John Bardeen".length(), List.of("John Bardeen", "bardeen"));
        Random random = new Random(3);
        for (int round = 0; round < 20; round++) {
            ReaderExample none = distractors.unanswerable(gold, 4, random);
            assertThat(none.answerable()).isFalse();
            assertThat(none.passages()).hasSize(4).doesNotHaveDuplicates().allSatisfy(p ->
                    assertThat(p.text().toLowerCase(Locale.ROOT)).doesNotContain("bardeen"));
            ReaderExample among = distractors.amongDistractors(gold, 3, random);
            assertThat(among.passages()).hasSize(4);
            assertThat(among.answerText()).isEqualTo("John Bardeen");
            assertThat(among.passages().get(among.answerPassage())).isEqualTo(TEXT);
        }
    }

    @Test
    void answersAreFoundExactlyFirstThenIgnoringCase() {
        assertThat(ReaderCorpus.find("Rome and rome", List.of("rome"))).containsExactly(9, 13);
        assertThat(ReaderCorpus.find("Rome and Milan", List.of("rome"))).containsExactly(0, 4);
        assertThat(ReaderCorpus.find("Rome", List.of("Paris"))).isNull();
    }
}
