package dev.diffrag.longctx;

import java.util.Map;

/** Exact-match accuracy over asked needles: a prediction counts only if it is the expected number, digit for digit. */
public final class NeedleScore {

    private int asked;
    private int correct;

    /**
     * Scores one example. {@code predictedByCity} holds the extracted number per asked city; a missing city counts
     * as wrong. Surrounding whitespace is ignored, anything else (a trailing period, a thousands separator) is not.
     */
    public void add(NeedleExample example, Map<String, String> predictedByCity) {
        for (NeedleExample.Question question : example.questions()) {
            asked++;
            String predicted = predictedByCity.get(question.city());
            if (predicted != null && predicted.strip().equals(Integer.toString(question.expectedNumber()))) {
                correct++;
            }
        }
    }

    public int asked() {
        return asked;
    }

    public int correct() {
        return correct;
    }

    public double accuracy() {
        if (asked == 0) {
            throw new IllegalStateException("no asked needles scored yet");
        }
        return (double) correct / asked;
    }
}
