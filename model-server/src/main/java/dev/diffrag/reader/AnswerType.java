package dev.diffrag.reader;

import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The kind of answer a question asks for, read from its first wh-phrase, and which passage tokens are of that kind.
 *
 * <p>Why: the readers give most questions about one passage the same span whatever they ask ("When did the Eiffel
 * Tower open?" and "How tall is it?" both get "1889"; docs/results/reader-typed/), and neither training data nor a
 * question-multiplied span head taught them otherwise. Checking the answer type, a standard step of pipeline QA systems
 * (Harabagiu, Moldovan et al., TREC-8/9), lets {@link SpanDecoder} favour spans of the asked kind by a weight that
 * {@link Calibration} chooses on development data; weight 0 is the plain decoder.
 *
 * <ul>
 *   <li>{@link #DATE}: "when …", "what year / date / month / century / decade …"; years, decades, month and weekday
 *       names and centuries.</li>
 *   <li>{@link #QUANTITY}: "how many / much / long / far / tall / old …", "what percentage / number / age …"; digits
 *       and number words.</li>
 *   <li>{@link #NAME}: "who / whom / whose / where …" and "what / which" asking for a kind of thing that has a proper
 *       name ("which country …", "what is the name of …", "what was the largest city …"); capitalised words other
 *       than month and weekday names, a sentence's first word only when the next is capitalised too ("Johannes
 *       Gutenberg of Mainz …", not "The tower …").</li>
 *   <li>{@link #ANY}: every other question ("what did …", "what type of …", "why …"); no token is marked.</li>
 * </ul>
 *
 * <p>After "what" or "which", a copula and an article are skipped ("what was the …") and the next two words are
 * looked up, in singular, among the nouns of each kind; the first one found decides ("what is the largest city" asks
 * for a name, "what is the population of" for a quantity).
 */
public enum AnswerType {
    DATE(Pattern.compile("\\b(?:1\\d{3}|20\\d{2})s?\\b|\\b\\d{1,2}(?:st|nd|rd|th) century\\b"
            + "|\\b" + Months.NAMES + "\\b")),
    QUANTITY(Pattern.compile("\\d+(?:[.,]\\d+)*|\\b(?i:one|two|three|four|five|six|seven|eight|nine|ten|eleven"
            + "|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty"
            + "|seventy|eighty|ninety|hundreds?|thousands?|millions?|billions?|trillions?|dozens?)\\b")),
    NAME(Pattern.compile("(?<![.!?:\"“]\\s)(?<=\\S\\s)" + Months.CAPITALISED_WORD
            + "|(?<![\\p{L}\\p{M}'’.-])" + Months.CAPITALISED_WORD + "(?=\\s+" + Months.CAPITALISED_WORD + ")")),
    ANY(null);

    /** Month and weekday names: dates, although capitalised. */
    private static final class Months {
        static final String NAMES = "(?:January|February|March|April|May|June|July|August|September|October|November"
                + "|December|Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)";
        /** A capitalised word that is not a month or weekday name. */
        static final String CAPITALISED_WORD = "(?!" + NAMES + "\\b)\\p{Lu}[\\p{L}\\p{M}'’.-]*";
    }

    private static final Pattern WH = Pattern.compile("\\b(who|whom|whose|where|when|what|which|how)\\b"
            + "(?:\\s+(?:is|was|are|were)\\b)?(?:\\s+(?:the|a|an)\\b)?(?:\\s+(\\w+))?(?:\\s+(\\w+))?");
    private static final Set<String> DATE_NOUNS = Set.of("year", "date", "day", "month", "century", "decade");
    private static final Set<String> QUANTITY_NOUNS = Set.of("percentage", "percent", "number", "amount", "age",
            "height", "length", "population", "distance", "size", "temperature", "speed");
    private static final Set<String> HOW_QUANTITY = Set.of("many", "much", "long", "far", "tall", "old", "big", "high",
            "large", "deep", "fast", "heavy", "wide", "often");
    /** Kinds of things known by proper names, written from general knowledge of question types, not from eval data. */
    private static final Set<String> NAME_NOUNS = Set.of("name", "person", "man", "woman", "country", "nation",
            "state", "city", "town", "village", "county", "province", "capital", "continent", "island", "river", "lake",
            "sea", "ocean", "mountain", "street", "building", "stadium", "church", "cathedral", "museum", "school",
            "college", "university", "hospital", "airport", "station", "company", "corporation", "firm", "brand",
            "manufacturer", "organization", "organisation", "agency", "party", "team", "club", "band", "network",
            "newspaper", "magazine", "airline", "president", "king", "queen", "emperor", "pope", "prince", "princess",
            "author", "writer", "poet", "composer", "painter", "artist", "scientist", "philosopher", "inventor",
            "architect", "player", "actor", "actress", "singer", "character", "god", "apostle", "saint", "dynasty",
            "empire", "kingdom", "tribe", "language", "religion", "nationality", "film", "movie", "album", "book",
            "novel", "battle", "war", "treaty", "ship", "planet");

    private final Pattern tokens;

    AnswerType(Pattern tokens) {
        this.tokens = tokens;
    }

    /** The kind the question's first wh-phrase asks for ("who was president when …" asks for a name). */
    public static AnswerType askedBy(String question) {
        Matcher wh = WH.matcher(question.toLowerCase(Locale.ROOT));
        if (!wh.find()) {
            return ANY;
        }
        return switch (wh.group(1)) {
            case "who", "whom", "whose", "where" -> NAME;
            case "when" -> DATE;
            case "how" -> wh.start(2) == wh.end(1) + 1 && HOW_QUANTITY.contains(wh.group(2)) ? QUANTITY : ANY;
            default -> {
                AnswerType first = ofNoun(wh.group(2));
                yield first != ANY ? first : ofNoun(wh.group(3));
            }
        };
    }

    /** The kind a "what / which" noun asks for, singular or plural ("countries"). */
    private static AnswerType ofNoun(String word) {
        if (word == null) {
            return ANY;
        }
        for (String singular : List.of(word, word.replaceAll("ies$", "y"), word.replaceAll("(?<=[sxh])es$", ""),
                word.replaceAll("(?<!s)s$", ""))) {
            if (DATE_NOUNS.contains(singular)) {
                return DATE;
            }
            if (QUANTITY_NOUNS.contains(singular)) {
                return QUANTITY;
            }
            if (NAME_NOUNS.contains(singular)) {
                return NAME;
            }
        }
        return ANY;
    }

    /** For each token of {@code text}, whether it overlaps a word of this kind (all false for {@link #ANY}). */
    public boolean[] marks(String text, ReaderTokenizer.Tokens tokenized) {
        boolean[] marked = new boolean[tokenized.size()];
        if (tokens == null) {
            return marked;
        }
        boolean[] characters = new boolean[text.length()];
        Matcher matcher = tokens.matcher(text);
        while (matcher.find()) {
            for (int c = matcher.start(); c < matcher.end(); c++) {
                characters[c] = true;
            }
        }
        for (int t = 0; t < marked.length; t++) {
            for (int c = tokenized.start()[t]; c < tokenized.end()[t] && !marked[t]; c++) {
                marked[t] = characters[c];
            }
        }
        return marked;
    }

    /**
     * For each position of {@code sequence}, whether it holds a passage token of the kind {@code question} asks for.
     */
    static boolean[] askedOf(String question, List<String> passages, List<ReaderTokenizer.Tokens> passageTokens,
            ReaderSequence sequence) {
        AnswerType asked = askedBy(question);
        boolean[] positions = new boolean[sequence.length()];
        if (asked == ANY) {
            return positions;
        }
        for (int p = 0; p < passages.size(); p++) {
            boolean[] marked = asked.marks(passages.get(p), passageTokens.get(p));
            for (int t = 0; t < sequence.passageEnd(p) - sequence.passageStart(p); t++) {
                positions[sequence.passageStart(p) + t] = marked[t];
            }
        }
        return positions;
    }
}
