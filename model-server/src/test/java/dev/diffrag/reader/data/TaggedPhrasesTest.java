package dev.diffrag.reader.data;

import static org.assertj.core.api.Assertions.assertThat;

import dev.diffrag.answer.Passage;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class TaggedPhrasesTest {

    private static final String SENTENCE = "The first Nobel Prize in Physics was awarded in 1901 to Wilhelm Conrad "
            + "Röntgen, of Germany, who received 150,782 SEK from the U.S. government's new science fund.";

    private final TaggedPhrases phrases = new TaggedPhrases();

    @Test
    void findsYearsNumbersNamesAndNounPhrasesByTheirQuestionWords() {
        Map<String, List<String>> found = new HashMap<>();
        phrases.spans(SENTENCE).forEach((kind, spans) -> found.put(kind,
                spans.stream().map(s -> SENTENCE.substring(s.start(), s.end())).toList()));

        assertThat(found.get("what year")).containsExactly("1901");
        assertThat(found.get("how many")).containsExactly("150,782");
        assertThat(found.get("who or what")).containsExactly("Nobel Prize", "Wilhelm Conrad Röntgen", "Germany");
        assertThat(found.get("what")).containsExactly("Physics", "150,782 SEK",
                "the U.S. government's new science fund");
    }

    @Test
    void aNounPhraseTakesItsOfPhraseAndANameLosesItsArticle() {
        String sentence = "Yesterday the president of the club met Mick Jagger in a small bar.";
        Map<String, List<String>> found = new HashMap<>();
        phrases.spans(sentence).forEach((kind, spans) -> found.put(kind,
                spans.stream().map(s -> sentence.substring(s.start(), s.end())).toList()));

        assertThat(found.get("what")).contains("the president of the club", "a small bar");
        assertThat(found.get("who or what")).containsExactly("Mick Jagger");
    }

    @Test
    void clozeQuestionsDrawEachKindAboutEvenlyAndHideTheSpanAtItsOffsets() {
        Passage passage = new Passage("p", SENTENCE);
        Cloze cloze = new Cloze(phrases, Cloze.Form.IN_PLACE);
        Map<String, Integer> kinds = new HashMap<>();
        Random random = new Random(7); // one generator, as the corpus uses: first draws of nearby seeds correlate
        for (int i = 0; i < 400; i++) {
            ReaderExample example = cloze.questions(passage, 1, random).get(0);
            String hidden = SENTENCE.substring(example.answerStart(), example.answerEnd());
            assertThat(example.answers()).containsExactly(hidden);
            String kind = List.of("what year", "how many", "who or what", "what").stream()
                    .filter(word -> example.question().equals(
                            (SENTENCE.substring(0, example.answerStart()) + word
                                    + SENTENCE.substring(example.answerEnd())).replaceAll("\\.$", "") + "?"))
                    .findFirst().orElseThrow();
            kinds.merge(kind, 1, Integer::sum);
        }
        // Three noun phrases and three names but one year: each kind still gets about a quarter of the questions.
        assertThat(kinds).containsOnlyKeys("what year", "how many", "who or what", "what");
        assertThat(kinds.values()).allSatisfy(count -> assertThat(count).isBetween(70, 130));
    }
}
