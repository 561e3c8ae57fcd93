package dev.diffrag.summarize;

/**
 * How long a summary may be: at most {@code maxSentences} sentences and, when {@code maxTokens} is positive, at most
 * that many whitespace-separated tokens in all (a sentence that does not fit is skipped, a shorter one may still fit).
 */
public record SummaryBudget(int maxSentences, int maxTokens) {

    public SummaryBudget {
        if (maxSentences < 1 || maxTokens < 0) {
            throw new IllegalArgumentException("need maxSentences >= 1 and maxTokens >= 0 (0 = no token limit), got "
                    + maxSentences + ", " + maxTokens);
        }
    }

    public static SummaryBudget sentences(int maxSentences) {
        return new SummaryBudget(maxSentences, 0);
    }

    /** The token count a budget charges for a sentence. */
    public static int tokens(String sentence) {
        String trimmed = sentence.strip();
        return trimmed.isEmpty() ? 0 : trimmed.split("\\s+").length;
    }
}
