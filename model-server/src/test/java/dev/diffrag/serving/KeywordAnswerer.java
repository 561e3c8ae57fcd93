package dev.diffrag.serving;

import dev.diffrag.answer.AnswerRequest;
import dev.diffrag.answer.Answerer;
import dev.diffrag.answer.GroundedAnswer;
import dev.diffrag.answer.Passage;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * A small real answerer for server tests: the answer is the first passage containing the question's last word (of
 * four letters or more), else an abstention. Records every batch size, and can hold batches at a gate so tests can
 * fill queues and shut down with requests in flight.
 */
final class KeywordAnswerer implements Answerer {

    final List<Integer> batchSizes = Collections.synchronizedList(new ArrayList<>());
    /** Released each time a batch reaches the model. */
    final Semaphore batchesStarted = new Semaphore(0);
    private final Semaphore passes;
    volatile boolean closed;

    /** Answers at once. */
    KeywordAnswerer() {
        this(Integer.MAX_VALUE / 2);
    }

    /** Lets the first {@code free} batches through (the server's warm-up is one); later ones wait for {@link #open}. */
    KeywordAnswerer(int free) {
        this.passes = new Semaphore(free);
    }

    /** Lets every held and future batch through. */
    void open() {
        passes.release(Integer.MAX_VALUE / 2);
    }

    @Override
    public String name() {
        return "keyword-test";
    }

    @Override
    public List<GroundedAnswer> answer(List<AnswerRequest> batch) {
        batchSizes.add(batch.size());
        batchesStarted.release();
        try {
            if (!passes.tryAcquire(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("test gate never opened");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
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
