package dev.diffrag.reader;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class AnswerTypeTest {

    private static ReaderTokenizer tokenizer;

    @BeforeAll
    static void open() {
        tokenizer = new ReaderTokenizer();
    }

    @AfterAll
    static void close() {
        tokenizer.close();
    }

    @Test
    void theFirstWhPhraseDecidesTheKind() {
        assertThat(AnswerType.askedBy("When did the Eiffel Tower open?")).isEqualTo(AnswerType.DATE);
        assertThat(AnswerType.askedBy("In what year was the first Nobel Prize in Physics awarded?"))
                .isEqualTo(AnswerType.DATE);
        assertThat(AnswerType.askedBy("how many episodes are in season 2 of the crown")).isEqualTo(AnswerType.QUANTITY);
        assertThat(AnswerType.askedBy("How tall is the Eiffel Tower?")).isEqualTo(AnswerType.QUANTITY);
        assertThat(AnswerType.askedBy("what percentage of the earth is water")).isEqualTo(AnswerType.QUANTITY);
        assertThat(AnswerType.askedBy("Whose company designed the Eiffel Tower?")).isEqualTo(AnswerType.NAME);
        assertThat(AnswerType.askedBy("where is the eiffel tower")).isEqualTo(AnswerType.NAME);
        // "when" inside the question does not make it a date question
        assertThat(AnswerType.askedBy("who was president when the war started")).isEqualTo(AnswerType.NAME);
        assertThat(AnswerType.askedBy("What did the company build?")).isEqualTo(AnswerType.ANY);
        assertThat(AnswerType.askedBy("How did the war end?")).isEqualTo(AnswerType.ANY);
        assertThat(AnswerType.askedBy("Name the engineer.")).isEqualTo(AnswerType.ANY);
    }

    @Test
    void theWordAfterTheWhWordCountsHoweverItIsSpaced() {
        // "\\s+" alone took no no-break space: "How\u00A0many" asked for ANY, "What\u00A0year" too.
        for (String gap : List.of("\u00A0", "\u2009", "\u202F", "  ", "\t")) {
            assertThat(AnswerType.askedBy("How" + gap + "many episodes are there?")).as("gap %s", gap)
                    .isEqualTo(AnswerType.QUANTITY);
            assertThat(AnswerType.askedBy("In what" + gap + "year did it open?")).as("gap %s", gap)
                    .isEqualTo(AnswerType.DATE);
        }
    }

    @Test
    void tokensAreMarkedByTheWordsTheyOverlap() {
        String text = "The tower opened in July 1889 in Paris; about 600 million people and twelve lifts serve it.";
        assertThat(marked(AnswerType.DATE, text)).containsExactly("july", "1889");
        assertThat(marked(AnswerType.QUANTITY, text)).containsExactly("1889", "600", "million", "twelve");
        // "The" opens the sentence: a capital there says nothing about a name; "July" is a date
        assertThat(marked(AnswerType.NAME, text)).containsExactly("paris");
        assertThat(marked(AnswerType.ANY, text)).isEmpty();
    }

    @Test
    void aSentenceOpensWithANameOnlyWhenTheNextWordIsCapitalisedToo() {
        assertThat(String.join("", marked(AnswerType.NAME, "It rained. Then he left. Wilhelm Röntgen arrived.")))
                .isEqualTo("wilhelmröntgen");
        assertThat(marked(AnswerType.NAME, "Movable type\n\nJohannes Gutenberg of Mainz, Germany"))
                .containsExactly("johannes", "gut", "enberg", "mainz", "germany"); // WordPiece splits "Gutenberg"
    }

    @Test
    void aNameSplitByAWrappedLineOrWideSpaceIsStillAName() {
        // A name is marked only when both its ends are: unmarked, "Eiffel" cut the answer to "Gustave".
        for (String gap : List.of(" ", "  ", "\r\n", "\n", "\u00A0", " \r\n ")) {
            assertThat(String.join("", marked(AnswerType.NAME, "It was designed by Gustave" + gap + "Eiffel in 1889.")))
                    .as("gap %s", gap.chars().mapToObj(c -> String.format("U+%04X", c)).toList())
                    .isEqualTo("gustaveeiffel");
        }
        // After a sentence's end a capital still says nothing, however the sentences are spaced.
        for (String gap : List.of(" ", "  ", "\r\n", "\u00A0")) {
            assertThat(marked(AnswerType.NAME, "It opened in 1889." + gap + "The tower is tall.")).isEmpty();
        }
    }

    @Test
    void aCenturyIsADateHoweverItsTwoWordsAreSpaced() {
        // Only a plain ASCII space used to count: "19th\u00A0century" lost the mark on both words.
        for (String gap : List.of(" ", "\u00A0", "\u2009", "  ", "\r\n", "\t")) {
            assertThat(String.join("", marked(AnswerType.DATE, "It was built in the 19th" + gap + "century.")))
                    .as("gap %s", gap.chars().mapToObj(c -> String.format("U+%04X", c)).toList())
                    .isEqualTo("19thcentury");
        }
    }

    @Test
    void positionsOfTheSequenceFollowThePassages() {
        List<String> passages = List.of("Built by Eiffel.", "It opened in 1889.");
        List<ReaderTokenizer.Tokens> tokens = passages.stream().map(tokenizer::tokenize).toList();
        ReaderSequence sequence = ReaderSequence.build(tokenizer.tokenize("When did it open?"), tokens,
                tokenizer.functionWords(), 64, 512);
        boolean[] asked = AnswerType.askedOf("When did it open?", passages, tokens, sequence);
        List<Integer> positions = new ArrayList<>();
        for (int i = 0; i < asked.length; i++) {
            if (asked[i]) {
                positions.add(i);
            }
        }
        assertThat(positions).containsExactly(sequence.position(1, tokens.get(1).size() - 2)); // "1889", before "."
    }

    private static List<String> marked(AnswerType type, String text) {
        ReaderTokenizer.Tokens tokens = tokenizer.tokenize(text);
        boolean[] marks = type.marks(text, tokens);
        List<String> words = new ArrayList<>();
        for (int t = 0; t < marks.length; t++) {
            if (marks[t]) {
                words.add(text.substring(tokens.start()[t], tokens.end()[t]).toLowerCase(Locale.ROOT));
            }
        }
        return words;
    }
}
