package dev.diffrag.reader;

/**
 * The abstention threshold and answer-type weight of a trained reader, stored beside its weights as {@value #FILE}.
 *
 * @param abstainThreshold answers whose confidence is below this are withheld
 * @param answerTypeWeight w ≥ 0: spans of the kind of answer the question asks for count e^w times their probability
 *                         when the decoder chooses ({@link SpanDecoder}, {@link AnswerType}); 0 is the plain decoder
 * @param calibratedOn     what the threshold was chosen on (development data, never the evaluation set) and how
 * @param devF1            mean F1 on the answerable development examples at this threshold (an abstention scores 0)
 * @param devAnswerRate    share of answerable development examples answered at this threshold
 * @param devAbstainRate   share of unanswerable development examples abstained on at this threshold
 */
public record Calibration(double abstainThreshold, double answerTypeWeight, String calibratedOn, double devF1,
        double devAnswerRate, double devAbstainRate) {

    public static final String FILE = "calibration.json";

    public Calibration {
        if (!(abstainThreshold >= 0 && abstainThreshold <= 1)) {
            throw new IllegalArgumentException("abstainThreshold must lie in [0, 1], got " + abstainThreshold);
        }
        if (!(answerTypeWeight >= 0)) {
            throw new IllegalArgumentException("answerTypeWeight must be at least 0, got " + answerTypeWeight);
        }
    }
}
