package dev.diffrag.reader;

/**
 * The abstention threshold of a trained reader, stored beside its weights as {@value #FILE}.
 *
 * @param abstainThreshold answers whose confidence is below this are withheld
 * @param calibratedOn     what the threshold was chosen on (development data, never the evaluation set)
 * @param devScore         the development score the threshold reached (mean of F1 on answerable examples and 1 for
 *                         each correct abstention on unanswerable ones)
 */
public record Calibration(double abstainThreshold, String calibratedOn, double devScore) {

    public static final String FILE = "calibration.json";

    public Calibration {
        if (!(abstainThreshold >= 0 && abstainThreshold <= 1)) {
            throw new IllegalArgumentException("abstainThreshold must lie in [0, 1], got " + abstainThreshold);
        }
    }
}
