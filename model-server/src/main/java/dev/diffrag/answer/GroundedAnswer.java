package dev.diffrag.answer;

/**
 * An answer that is a verbatim span of one passage, or an abstention ({@code answer} and {@code citation} null).
 *
 * @param confidence in [0, 1]; what the abstention threshold is compared with
 */
public record GroundedAnswer(String answer, boolean abstained, double confidence, Citation citation) {

    /** {@code start}/{@code end}: character offsets into the cited passage's text. */
    public record Citation(String contextId, int start, int end) {}

    public static GroundedAnswer abstain(double confidence) {
        return new GroundedAnswer(null, true, confidence, null);
    }

    public static GroundedAnswer span(Passage passage, int start, int end, double confidence) {
        return new GroundedAnswer(
                passage.text().substring(start, end), false, confidence, new Citation(passage.id(), start, end));
    }
}
