package dev.diffrag.summarize;

/**
 * How long a summary may be: at most {@code maxSentences} sentences and, when {@code maxTokens} is positive, at most
 * that many space-separated tokens in all (a sentence that does not fit is skipped, a shorter one may still fit).
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

    /**
     * The token count a budget charges for a sentence: its runs of characters between spaces of any kind, no-break
     * spaces included (scraped news separates words with them: "the former\u00A0senator").
     */
    public static int tokens(String sentence) {
        int tokens = 0;
        boolean inToken = false;
        for (int i = 0; i < sentence.length(); i++) {
            char c = sentence.charAt(i);
            boolean space = Character.isWhitespace(c) || Character.isSpaceChar(c);
            if (!space && !inToken) {
                tokens++;
            }
            inToken = !space;
        }
        return tokens;
    }
}
