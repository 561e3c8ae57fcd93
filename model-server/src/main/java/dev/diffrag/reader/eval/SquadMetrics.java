package dev.diffrag.reader.eval;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Exact match and token F1 as the official SQuAD v1.1 evaluation script computes them: answers are normalised by
 * lower-casing, removing ASCII punctuation, removing the articles a/an/the and collapsing whitespace; a prediction is
 * scored against every gold answer and keeps the best score.
 */
public final class SquadMetrics {

    private static final Pattern ARTICLES = Pattern.compile("\\b(a|an|the)\\b");
    private static final Pattern PUNCTUATION = Pattern.compile("[!\"#$%&'()*+,\\-./:;<=>?@\\[\\\\\\]^_`{|}~]");

    private SquadMetrics() {}

    /** The script's normalize_answer: lower, remove punctuation, remove articles, fix whitespace. */
    public static String normalize(String text) {
        String lower = text.toLowerCase(Locale.ROOT);
        String noPunctuation = PUNCTUATION.matcher(lower).replaceAll("");
        String noArticles = ARTICLES.matcher(noPunctuation).replaceAll(" ");
        return String.join(" ", noArticles.trim().split("\\s+"));
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
