package dev.diffrag.reader;

/**
 * The abstention threshold of a trained reader, stored beside its weights as {@value #FILE}.
 *
 * @param abstainThreshold answers whose confidence is below this are withheld
 * @param calibratedOn     what the threshold was chosen on (development data, never the evaluation set) and how
 * @param devF1            mean F1 on the answerable development examples at this threshold (an abstention scores 0)
 * @param devAnswerRate    share of answerable development examples answered at this threshold
 * @param devAbstainRate   share of unanswerable development examples abstained on at this threshold
 */
public record Calibration(double abstainThreshold, String calibratedOn, double devF1, double devAnswerRate,
        double devAbstainRate) {

    public static final String FILE = "calibration.json";

    public Calibration {
        if (!(abstainThreshold >= 0 && abstainThreshold <= 1)) {
            throw new IllegalArgumentException("abstainThreshold must lie in [0, 1], got " + abstainThreshold);
        }
    }
}
