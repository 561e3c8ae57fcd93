package dev.diffrag.longctx;

import dev.diffrag.reader.ReaderTokenizer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Multi-needle retrieval in the style of the Diff Transformer paper (Section 3.4): N needles "The magic number for
 * &lt;city&gt; is &lt;number&gt;." hidden at depths 0, 25, 50, 75 and 100% of an essay haystack, R of them asked.
 * The context length is a MiniLM token count: it never exceeds the target and falls short of it by less than one
 * haystack sentence, since the haystack is cut only at sentence boundaries. The same seed gives the same example.
 */
public final class NeedleTask {

    public static final List<Integer> DEPTHS = List.of(0, 25, 50, 75, 100);

    public static final List<String> CITIES = List.of("Amsterdam", "Bangkok", "Berlin", "Bogota", "Cairo", "Chicago",
            "Dublin", "Havana", "Istanbul", "Jakarta", "Kyoto", "Lagos", "Lima", "Lisbon", "Madrid", "Montreal",
            "Mumbai", "Nairobi", "Oslo", "Paris", "Prague", "Santiago", "Seoul", "Stockholm", "Sydney", "Tehran",
            "Toronto", "Vienna", "Warsaw", "Zurich");

    // Sentence ends: punctuation, whitespace and no lowercase word next (so "U.S. law" stays whole), or a lowercase
    // word's period glued to the next capital, as the scraped essays join paragraphs ("accelerating.We").
    private static final Pattern SENTENCE_BREAK =
            Pattern.compile("(?<=[.!?])\\s+(?![a-z])|(?<=[a-z][.!?])(?=[A-Z])");

    // Haystack characters tokenized per target token on the first try; the MiniLM vocabulary averages fewer.
    private static final int CHARS_PER_TOKEN = 8;

    private final List<List<String>> essays;
    private final ReaderTokenizer tokenizer;

    NeedleTask(List<List<String>> essays, ReaderTokenizer tokenizer) {
        if (essays.isEmpty()) {
            throw new IllegalArgumentException("no essays for the haystack");
        }
        this.essays = List.copyOf(essays);
        this.tokenizer = tokenizer;
    }

    /** Reads every {@code *.txt} in {@code directory} (UTF-8, in name order) as one haystack essay. */
    public static NeedleTask fromDirectory(Path directory, ReaderTokenizer tokenizer) throws IOException {
        List<Path> files;
        try (Stream<Path> listing = Files.list(directory)) {
            files = listing.filter(p -> p.getFileName().toString().endsWith(".txt")).sorted().toList();
        }
        if (files.isEmpty()) {
            throw new IllegalArgumentException("no .txt essays in " + directory);
        }
        List<List<String>> essays = new ArrayList<>();
        for (Path file : files) {
            List<String> sentences = sentences(Files.readString(file, StandardCharsets.UTF_8));
            if (!sentences.isEmpty()) {
                essays.add(sentences);
            }
        }
        return new NeedleTask(essays, tokenizer);
    }

    /**
     * The haystack as WordPiece ids, essay by essay and sentence by sentence, in the order {@link #fromDirectory}
     * read them. Sentences are joined by one space in a context, so their ids concatenate unchanged.
     */
    public List<List<int[]>> tokenizedEssays() {
        return essays.stream().map(sentences -> sentences.stream().map(s -> tokenizer.tokenize(s).ids()).toList())
                .toList();
    }

    static List<String> sentences(String text) {
        String flat = text.replaceAll("\\s+", " ").strip();
        return Arrays.stream(SENTENCE_BREAK.split(flat)).map(String::strip).filter(s -> !s.isEmpty()).toList();
    }

    /**
     * An example of about {@code contextTokens} tokens with {@code needles} needles (distinct cities and 7-digit
     * numbers, depths dealt evenly from {@link #DEPTHS} in seeded order) of which {@code asked} are asked.
     */
    public NeedleExample generate(int contextTokens, int needles, int asked, long seed) {
        if (needles < 1 || needles > CITIES.size()) {
            throw new IllegalArgumentException("needles must be in 1.." + CITIES.size() + ", got " + needles);
        }
        if (asked < 1 || asked > needles) {
            throw new IllegalArgumentException("asked must be in 1.." + needles + ", got " + asked);
        }
        Random random = new Random(seed);
        List<String> cities = new ArrayList<>(CITIES);
        Collections.shuffle(cities, random);
        Set<Integer> numbers = new LinkedHashSet<>();
        while (numbers.size() < needles) {
            numbers.add(1_000_000 + random.nextInt(9_000_000));
        }
        List<Integer> depths = dealDepths(needles, random);

        List<String> needleSentences = new ArrayList<>();
        int needleTokens = 0;
        List<Integer> numberList = List.copyOf(numbers);
        for (int i = 0; i < needles; i++) {
            String sentence = NeedleExample.Needle.sentence(cities.get(i), numberList.get(i));
            needleSentences.add(sentence);
            needleTokens += tokenizer.tokenize(sentence).size();
        }
        int budget = contextTokens - needleTokens;
        if (budget <= 0) {
            throw new IllegalArgumentException(needles + " needles take " + needleTokens
                    + " tokens, leaving no haystack in " + contextTokens);
        }
        List<Integer> essayOrder = new ArrayList<>();
        for (int i = 0; i < essays.size(); i++) {
            essayOrder.add(i);
        }
        Collections.shuffle(essayOrder, random);
        List<String> haystack = haystack(essayOrder, budget);

        // Needle i goes before haystack sentence slot[i]; slot == haystack.size() is the very end.
        int[] slot = new int[needles];
        for (int i = 0; i < needles; i++) {
            slot[i] = Math.round(depths.get(i) / 100f * haystack.size());
        }
        StringBuilder context = new StringBuilder();
        List<NeedleExample.Needle> placed = new ArrayList<>();
        for (int s = 0; s <= haystack.size(); s++) {
            for (int i = 0; i < needles; i++) {
                if (slot[i] == s) {
                    int start = append(context, needleSentences.get(i));
                    placed.add(new NeedleExample.Needle(cities.get(i), numberList.get(i), depths.get(i), start,
                            context.length()));
                }
            }
            if (s < haystack.size()) {
                append(context, haystack.get(s));
            }
        }

        List<NeedleExample.Needle> askedNeedles = new ArrayList<>(placed);
        Collections.shuffle(askedNeedles, random);
        List<NeedleExample.Question> questions = askedNeedles.subList(0, asked).stream()
                .map(n -> new NeedleExample.Question(n.city(), n.number())).toList();
        String text = context.toString();
        return new NeedleExample(text, tokenizer.tokenize(text).size(), placed, questions);
    }

    /** Every depth once per round of five, each round in seeded order, so depths spread evenly over the needles. */
    private static List<Integer> dealDepths(int needles, Random random) {
        List<Integer> dealt = new ArrayList<>();
        while (dealt.size() < needles) {
            List<Integer> round = new ArrayList<>(DEPTHS);
            Collections.shuffle(round, random);
            dealt.addAll(round.subList(0, Math.min(round.size(), needles - dealt.size())));
        }
        return dealt;
    }

    private static int append(StringBuilder context, String sentence) {
        if (!context.isEmpty()) {
            context.append(' ');
        }
        int start = context.length();
        context.append(sentence);
        return start;
    }

    /**
     * The longest run of whole sentences, in essay order, of at most {@code budget} tokens. Sentences are joined by
     * one space, and WordPiece splits at spaces and punctuation, so their tokens add up unchanged in the context.
     */
    private List<String> haystack(List<Integer> essayOrder, int budget) {
        List<String> all = new ArrayList<>();
        for (int essay : essayOrder) {
            all.addAll(essays.get(essay));
        }
        long chars = (long) budget * CHARS_PER_TOKEN;
        while (true) {
            StringBuilder text = new StringBuilder();
            List<Integer> ends = new ArrayList<>();
            for (int i = 0; i < all.size() && text.length() < chars; i++) {
                append(text, all.get(i));
                ends.add(text.length());
            }
            ReaderTokenizer.Tokens tokens = tokenizer.tokenize(text.toString());
            int fitting = 0;
            int token = 0;
            for (int end : ends) {
                while (token < tokens.size() && tokens.end()[token] <= end) {
                    token++;
                }
                if (token > budget) {
                    return all.subList(0, fitting);
                }
                fitting++;
            }
            if (fitting == all.size()) {
                throw new IllegalArgumentException("the essays hold only " + token + " tokens, "
                        + budget + " are needed for the haystack");
            }
            chars *= 2;
        }
    }
}
