package dev.diffrag.reader;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Passage tokens that recur in the question carry the match segment; function words never do. */
class QuestionMatchTest {

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
    void contentWordsOfTheQuestionAreMarkedInEveryPassage() {
        String passage = "The prize was won by Marie Curie in 1903.";
        ReaderTokenizer.Tokens tokens = tokenizer.tokenize(passage);
        ReaderSequence sequence = ReaderSequence.build(tokenizer.tokenize("Who won the prize in 1903?"),
                List.of(tokens, tokens), tokenizer.functionWords(), 64, 512);
        for (int p = 0; p < 2; p++) {
            List<String> matched = new ArrayList<>();
            for (int i = 0; i < tokens.size(); i++) {
                int position = sequence.position(p, i);
                if (sequence.segment(position) == ReaderConfig.PASSAGE_MATCH) {
                    matched.add(passage.substring(tokens.start()[i], tokens.end()[i]));
                } else {
                    assertThat(sequence.segment(position)).isEqualTo(ReaderConfig.PASSAGE);
                }
            }
            assertThat(matched).containsExactly("prize", "won", "1903");
        }
    }

    @Test
    void questionTokensKeepTheQuestionSegment() {
        ReaderSequence sequence = ReaderSequence.build(tokenizer.tokenize("prize"),
                List.of(tokenizer.tokenize("prize")), tokenizer.functionWords(), 64, 512);
        assertThat(sequence.segment(1)).isEqualTo(ReaderConfig.QUESTION);
        assertThat(sequence.segment(sequence.position(0, 0))).isEqualTo(ReaderConfig.PASSAGE_MATCH);
    }
}
