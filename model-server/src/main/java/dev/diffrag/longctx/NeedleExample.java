package dev.diffrag.longctx;

import java.util.List;

/**
 * One multi-needle retrieval example: a haystack of essay sentences with {@code needles} inserted, of which the
 * {@code questions} ask a subset.
 *
 * @param contextTokens MiniLM WordPiece tokens of {@code context}, without special tokens
 */
public record NeedleExample(String context, int contextTokens, List<Needle> needles, List<Question> questions) {

    public NeedleExample {
        needles = List.copyOf(needles);
        questions = List.copyOf(questions);
    }

    /**
     * "The magic number for {@code city} is {@code number}." at {@code context.substring(start, end)}.
     *
     * @param depthPercent the depth it was placed at: 0 is the start of the context, 100 the end
     */
    public record Needle(String city, int number, int depthPercent, int start, int end) {

        public String sentence() {
            return sentence(city, number);
        }

        public static String sentence(String city, int number) {
            return "The magic number for " + city + " is " + number + ".";
        }
    }

    /** "What is the magic number for {@code city}?", answered by {@code expectedNumber}. */
    public record Question(String city, int expectedNumber) {

        public String text() {
            return "What is the magic number for " + city + "?";
        }
    }
}
