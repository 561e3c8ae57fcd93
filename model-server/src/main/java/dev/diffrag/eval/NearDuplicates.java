package dev.diffrag.eval;

import dev.diffrag.summarize.eval.Rouge;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Finds texts that are the same source edited (reworded in places, whitespace changed, a paragraph added), so that
 * no split trains on what it holds out: such texts share more than half the word {@value #GRAM}-grams of the shorter
 * one. Texts that merely quote one another share far less: in cnndm-250 the one story under two URLs shares 75%,
 * the next pair (two football stories with a stock paragraph in common) 30%.
 */
public final class NearDuplicates {

    /** Words per n-gram: long enough that unrelated texts share none by chance. */
    static final int GRAM = 8;

    private NearDuplicates() {}

    /** The text's lower-cased word {@value #GRAM}-grams (ROUGE's tokens); a shorter text is its one word sequence. */
    public static Set<String> fingerprint(String text) {
        List<String> words = Rouge.tokens(text);
        Set<String> grams = new HashSet<>();
        if (words.size() < GRAM) {
            grams.add(String.join(" ", words));
        }
        for (int i = 0; i + GRAM <= words.size(); i++) {
            grams.add(String.join(" ", words.subList(i, i + GRAM)));
        }
        return grams;
    }

    /** Whether the two fingerprints share more than half of the smaller one. */
    public static boolean same(Set<String> a, Set<String> b) {
        Set<String> smaller = a.size() <= b.size() ? a : b;
        Set<String> larger = smaller == a ? b : a;
        long shared = smaller.stream().filter(larger::contains).count();
        return !smaller.isEmpty() && 2 * shared > smaller.size();
    }

    /** Whether {@code fingerprint} is the same text as any of {@code others}. */
    public static boolean sameAsAny(Set<String> fingerprint, List<Set<String>> others) {
        return others.stream().anyMatch(other -> same(fingerprint, other));
    }
}
