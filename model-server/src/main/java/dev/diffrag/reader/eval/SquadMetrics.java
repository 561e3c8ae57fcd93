package dev.diffrag.reader.eval;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Exact match and token F1 as the official SQuAD v1.1 evaluation script computes them: answers are normalised by
 * lower-casing, removing ASCII punctuation, removing the articles a/an/the and collapsing whitespace; a prediction is
 * scored against every gold answer and keeps the best score. Word boundaries and whitespace are those of the
 * script's Python 3 {@code re} and {@code str.split()}, which are Unicode-wide: Java's {@code \b} and {@code \s}
 * differ (a no-break space in "Category&nbsp;4" made one token "category&nbsp;4" that never matched "Category 4").
 */
public final class SquadMetrics {

    /**
     * Python's {@code \b(a|an|the)\b}: its word characters are letters, numbers of any kind and '_'. The character
     * before is checked apart ({@link #removeArticles}): a lookbehind reads one UTF-16 unit, the low half of a letter
     * outside the Basic Multilingual Plane, so "a" after U+20000 was taken for an article.
     */
    private static final Pattern ARTICLES = Pattern.compile("(a|an|the)(?![\\p{L}\\p{N}_])");
    /** What Python's {@code str.split()} splits at: Unicode spaces (no-break ones too), U+001C..U+001F and U+0085. */
    private static final Pattern WHITESPACE = Pattern.compile("[\\p{Z}\\s\\x{1C}-\\x{1F}\\x{85}]+");
    private static final Pattern PUNCTUATION = Pattern.compile("[!\"#$%&'()*+,\\-./:;<=>?@\\[\\\\\\]^_`{|}~]");

    private SquadMetrics() {}

    /** The script's normalize_answer: lower, remove punctuation, remove articles, fix whitespace. */
    public static String normalize(String text) {
        String lower = text.toLowerCase(Locale.ROOT);
        String noPunctuation = PUNCTUATION.matcher(lower).replaceAll("");
        String noArticles = removeArticles(noPunctuation);
        return WHITESPACE.splitAsStream(noArticles).filter(t -> !t.isEmpty()).collect(Collectors.joining(" "));
    }

    /** {@code text} with every article that starts a word replaced by a space. */
    private static String removeArticles(String text) {
        StringBuilder result = new StringBuilder(text.length());
        int copied = 0;
        Matcher article = ARTICLES.matcher(text);
        while (article.find()) {
            int start = article.start();
            if (start == 0 || !isWordCharacter(text.codePointBefore(start))) {
                result.append(text, copied, start).append(' ');
                copied = article.end();
            }
        }
        return result.append(text, copied, text.length()).toString();
    }

    /** Python's word characters, as the lookahead of {@link #ARTICLES}: letters, numbers and '_'. */
    private static boolean isWordCharacter(int codePoint) {
        int type = Character.getType(codePoint);
        return Character.isLetter(codePoint) || type == Character.DECIMAL_DIGIT_NUMBER
                || type == Character.LETTER_NUMBER || type == Character.OTHER_NUMBER || codePoint == '_';
    }

    /** 1 when the normalised prediction equals some normalised gold answer, else 0. */
    public static double exactMatch(String prediction, List<String> golds) {
        String normalized = normalize(prediction);
        return golds.stream().anyMatch(g -> normalize(g).equals(normalized)) ? 1 : 0;
    }

    /** The best token F1 of the prediction against the gold answers. */
    public static double f1(String prediction, List<String> golds) {
        return golds.stream().mapToDouble(g -> f1(prediction, g)).max().orElse(0);
    }

    static double f1(String prediction, String gold) {
        List<String> predicted = tokens(prediction);
        List<String> expected = tokens(gold);
        Map<String, Integer> counts = new HashMap<>();
        expected.forEach(t -> counts.merge(t, 1, Integer::sum));
        int common = 0;
        for (String token : predicted) {
            Integer left = counts.get(token);
            if (left != null && left > 0) {
                common++;
                counts.put(token, left - 1);
            }
        }
        if (common == 0) {
            return 0;
        }
        double precision = (double) common / predicted.size();
        double recall = (double) common / expected.size();
        return 2 * precision * recall / (precision + recall);
    }

    private static List<String> tokens(String text) {
        String normalized = normalize(text);
        return normalized.isEmpty() ? List.of() : Arrays.asList(normalized.split(" "));
    }
}
