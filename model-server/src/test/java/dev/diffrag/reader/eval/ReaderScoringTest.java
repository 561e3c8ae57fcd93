package dev.diffrag.reader.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.diffrag.answer.AnswerRequest;
import dev.diffrag.answer.Answerer;
import dev.diffrag.answer.GroundedAnswer;
import dev.diffrag.answer.Passage;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Rows are scored from whatever an answerer returns, so a retrieval setting can reuse them. */
class ReaderScoringTest {

    /** Answers with the first word of the first context, abstaining when the question ends with "?!". */
    private static final class FirstWord implements Answerer {
        @Override
        public String name() {
            return "first-word";
        }

        @Override
        public List<GroundedAnswer> answer(List<AnswerRequest> batch) {
            return batch.stream().map(r -> r.question().endsWith("?!") ? GroundedAnswer.abstain(0.1)
                    : GroundedAnswer.span(r.contexts().get(0), 0, r.contexts().get(0).text().indexOf(' '), 0.9))
                    .toList();
        }
    }

    private static ReaderScoring.Item item(String question, String context, String... answers) {
        return new ReaderScoring.Item(new AnswerRequest(question, List.of(new Passage("c", context))),
                List.of(answers));
    }

    @Test
    void answerableRowCountsAbstentionsAsZero() {
        List<ReaderScoring.Item> items = List.of(
                item("Who?", "Ada Lovelace wrote it.", "Ada"),                // exact
                item("Who?", "Charles Babbage built it.", "Charles Babbage"), // F1 2/3
                item("Who?!", "Ada Lovelace wrote it.", "Ada"),               // abstained
                item("Who?", "It was Ada.", "Ada"));                          // wrong
        ReaderScoring.Scored scored = ReaderScoring.answerable("first-word", "gold", new FirstWord(), items);
        ReaderScoring.Row row = scored.row();
        assertThat(scored.perQuestion()).containsExactly(new double[] {100, 100 * 2.0 / 3, 0, 0}, within(1e-9));
        assertThat(row.model()).isEqualTo("first-word");
        assertThat(row.setting()).isEqualTo("gold");
        assertThat(row.questions()).isEqualTo(4);
        assertThat(row.em()).isCloseTo(25.0, within(1e-9));
        assertThat(row.f1()).isCloseTo(100 * (1 + 2.0 / 3) / 4, within(1e-9));
        assertThat(row.answerRate()).isCloseTo(0.75, within(1e-9));
        assertThat(row.abstainRate()).isCloseTo(0.25, within(1e-9));
        assertThat(row.f1BestSpan()).isNull(); // only the reader reports its withheld span
    }

    @Test
    void unanswerableRowIsTheAbstentionRate() {
        List<AnswerRequest> requests = List.of(new AnswerRequest("Who?!", List.of(new Passage("c", "A b."))),
                new AnswerRequest("Who?", List.of(new Passage("c", "A b."))));
        ReaderScoring.Scored scored = ReaderScoring.unanswerable("first-word", "abstain", new FirstWord(), requests);
        ReaderScoring.Row row = scored.row();
        assertThat(scored.perQuestion()).containsExactly(1, 0);
        assertThat(row.abstainRate()).isCloseTo(0.5, within(1e-9));
        assertThat(row.answerRate()).isCloseTo(0.5, within(1e-9));
        assertThat(row.em()).isNull();
        assertThat(row.f1()).isNull();
    }
}
