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
 *   <li>{@link #NAME}: "who / whom / whose / where …"; capitalised words other than month and weekday names, a
 *       sentence's first word only when the next is capitalised too ("Johannes Gutenberg of Mainz …", not "The tower
 *       …").</li>
 *   <li>{@link #ANY}: every other question ("what …", "which …", "why …"); no token is marked.</li>
 * </ul>
 */
public enum AnswerType {
    DATE(Pattern.compile("\\b(?:1\\d{3}|20\\d{2})s?\\b|\\b\\d{1,2}(?:st|nd|rd|th)" + Months.GAP + "century\\b"
            + "|\\b" + Months.NAMES + "\\b")),
    QUANTITY(Pattern.compile("\\d+(?:[.,]\\d+)*|\\b(?i:one|two|three|four|five|six|seven|eight|nine|ten|eleven"
            + "|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty"
            + "|seventy|eighty|ninety|hundreds?|thousands?|millions?|billions?|trillions?|dozens?)\\b")),
    NAME(Pattern.compile("(?<![.!?:\"“]" + Months.GAP + ")(?<=\\S" + Months.GAP + ")" + Months.CAPITALISED_WORD
            + "|(?<![\\p{L}\\p{M}'’.-])" + Months.CAPITALISED_WORD + "(?=[\\s\\h]+" + Months.CAPITALISED_WORD + ")")),
    ANY(null);

    /** Month and weekday names: dates, although capitalised. */
    private static final class Months {
        static final String NAMES = "(?:January|February|March|April|May|June|July|August|September|October|November"
                + "|December|Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)";
        /** A capitalised word that is not a month or weekday name. */
        static final String CAPITALISED_WORD = "(?!" + NAMES + "\\b)\\p{Lu}[\\p{L}\\p{M}'’.-]*";
        /**
         * The space between two words of one sentence: spaces and tabs, no-break ones too, around at most one line
         * break (a wrapped line, CRLF included). Only one ASCII whitespace character used to count, so "Gustave
         * Eiffel" with two spaces, a CRLF or a no-break space between lost the mark on "Eiffel", and only a plain
         * space, so "19th century" with a no-break space lost its date mark.
         */
        static final String GAP = "(?:\\h{1,8}|\\h{0,8}(?:\\r\\n|[\\n\\r])\\h{0,8})";
    }

    /** The wh-word and the word after it, spaced by any whitespace, no-break spaces too ({@code \s} alone is ASCII). */
    private static final Pattern WH =
            Pattern.compile("\\b(who|whom|whose|where|when|what|which|how)\\b(?:[\\s\\h]+(\\w+))?");
    private static final Set<String> DATE_NOUNS = Set.of("year", "date", "day", "month", "century", "decade");
    private static final Set<String> QUANTITY_NOUNS = Set.of("percentage", "percent", "number", "amount", "age",
            "height", "length", "population", "distance", "size", "temperature", "speed");
    private static final Set<String> HOW_QUANTITY = Set.of("many", "much", "long", "far", "tall", "old", "big", "high",
            "large", "deep", "fast", "heavy", "wide", "often");

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
        String next = wh.group(2) == null ? "" : wh.group(2);
        return switch (wh.group(1)) {
            case "who", "whom", "whose", "where" -> NAME;
            case "when" -> DATE;
            case "how" -> HOW_QUANTITY.contains(next) ? QUANTITY : ANY;
            default -> DATE_NOUNS.contains(next) ? DATE : QUANTITY_NOUNS.contains(next) ? QUANTITY : ANY;
        };
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
            for (int position = sequence.passageStart(p); position < sequence.passageEnd(p); position++) {
                positions[position] = marked[sequence.row(position)];
            }
        }
        return positions;
    }
}
