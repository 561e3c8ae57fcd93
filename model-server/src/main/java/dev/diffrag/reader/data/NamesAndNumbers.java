package dev.diffrag.reader.data;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Years, other numbers and capitalised names found by regular expressions, drawn uniformly. */
public final class NamesAndNumbers implements ClozeSpans {

    private static final Pattern YEAR = Pattern.compile("\\b(1[5-9]\\d\\d|20\\d\\d)\\b");
    private static final Pattern NUMBER = Pattern.compile("\\b\\d+(?:[.,]\\d+)*\\b");
    private static final Pattern NAME = Pattern.compile("\\b\\p{Lu}\\p{L}+(?:\\s+\\p{Lu}\\p{L}+){0,3}\\b");

    @Override
    public HiddenSpan draw(String sentence, Random random) {
        List<HiddenSpan> candidates = candidates(sentence);
        return candidates.isEmpty() ? null : candidates.get(random.nextInt(candidates.size()));
    }

    @Override
    public HiddenSpan decoy(String sentence, HiddenSpan target, Random random) {
        List<HiddenSpan> others = candidates(sentence).stream()
                .filter(s -> !s.questionWord().equals(target.questionWord()) && !ClozeSpans.overlap(s, target))
                .toList();
        return others.isEmpty() ? null : others.get(random.nextInt(others.size()));
    }

    private static List<HiddenSpan> candidates(String sentence) {
        List<HiddenSpan> candidates = new ArrayList<>();
        List<int[]> years = spans(YEAR.matcher(sentence));
        years.forEach(s -> candidates.add(new HiddenSpan(s[0], s[1], "what year")));
        for (int[] s : spans(NUMBER.matcher(sentence))) {
            if (years.stream().noneMatch(y -> y[0] == s[0])) {
                candidates.add(new HiddenSpan(s[0], s[1], "how many"));
            }
        }
        for (int[] s : spans(NAME.matcher(sentence))) {
            if (insideSentence(sentence, s[0])) { // a sentence's first word is capitalised anyway
                candidates.add(new HiddenSpan(s[0], s[1], "who or what"));
            }
        }
        return candidates;
    }

    /** True when the word at {@code at} follows a space and a word of the same sentence. */
    private static boolean insideSentence(String sentence, int at) {
        if (at == 0 || sentence.charAt(at - 1) != ' ') {
            return false;
        }
        String before = sentence.substring(0, at).stripTrailing();
        return !before.isEmpty() && ".!?:\"“\n".indexOf(before.charAt(before.length() - 1)) < 0;
    }

    private static List<int[]> spans(Matcher matcher) {
        List<int[]> spans = new ArrayList<>();
        while (matcher.find()) {
            spans.add(new int[] {matcher.start(), matcher.end()});
        }
        return spans;
    }
}
