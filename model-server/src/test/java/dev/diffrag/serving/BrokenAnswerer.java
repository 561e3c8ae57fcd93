package dev.diffrag.serving;

import dev.diffrag.answer.AnswerRequest;
import dev.diffrag.answer.Answerer;
import dev.diffrag.answer.GroundedAnswer;
import java.util.List;

/** A model whose every batch fails, as one whose weights did not load would: the server's warm-up fails. */
final class BrokenAnswerer implements Answerer {

    @Override
    public String name() {
        return "broken";
    }

    @Override
    public List<GroundedAnswer> answer(List<AnswerRequest> batch) {
        throw new IllegalStateException("no weights");
    }
}
