package dev.diffrag.serving;

import dev.diffrag.answer.AnswerRequest;
import dev.diffrag.answer.Answerer;
import dev.diffrag.answer.GroundedAnswer;
import dev.diffrag.answer.Passage;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * A small real answerer for server tests: the answer is the first passage containing the question's last word (of
 * four letters or more), else an abstention. Records every batch size, and can hold batches at a {@link ModelGate}.
 */
final class KeywordAnswerer implements Answerer {

    final List<Integer> batchSizes = Collections.synchronizedList(new ArrayList<>());
    /** Holds batches until the test opens it. */
    final ModelGate gate;
    volatile boolean closed;

    /** Answers at once. */
    KeywordAnswerer() {
        this(Integer.MAX_VALUE / 2);
    }

    /** Lets the first {@code free} batches through (the server's warm-up is one); later ones wait for the gate. */
    KeywordAnswerer(int free) {
        this.gate = new ModelGate(free);
    }

    @Override
    public String name() {
        return "keyword-test";
    }

    @Override
    public List<GroundedAnswer> answer(List<AnswerRequest> batch) {
        batchSizes.add(batch.size());
        gate.pass();
        List<GroundedAnswer> answers = new ArrayList<>();
        for (AnswerRequest request : batch) {
            answers.add(answer(request));
        }
        return answers;
    }

    private static GroundedAnswer answer(AnswerRequest request) {
        String[] words = request.question().toLowerCase(Locale.ROOT).replaceAll("[^a-z ]", " ").trim().split(" +");
        String keyword = words[words.length - 1];
        if (keyword.length() >= 4) {
            for (Passage passage : request.contexts()) {
                int at = passage.text().toLowerCase(Locale.ROOT).indexOf(keyword);
                if (at >= 0) {
                    return GroundedAnswer.span(passage, at, at + keyword.length(), 0.9);
                }
            }
        }
        return GroundedAnswer.abstain(0.1);
    }

    @Override
    public void close() {
        closed = true;
    }
}
