package dev.diffrag.reader.data;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeType;
import dev.diffrag.answer.Passage;
import dev.diffrag.cli.JsonFields;
import dev.diffrag.eval.NearDuplicates;
import dev.diffrag.summarize.eval.CnnDmArticles;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The reader's training and development data, built from the shared data folder (never from xquad-en.json, which is
 * for evaluation only):
 * <ul>
 *   <li>Natural Questions (open) with their oracle passage, split into train and development by the seed;</li>
 *   <li>{@link Cloze} questions from NQ training passages, Paul Graham essays and CNN/DM articles;</li>
 *   <li>unanswerable examples: a question with passages that lack its answer;</li>
 *   <li>long inputs: the gold passage among distractors at a random position.</li>
 * </ul>
 */
public final class ReaderCorpus {

    /** Words per passage cut from essays and articles, about an NQ passage's length. */
    private static final int CHUNK_WORDS = 100;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Logger LOG = LoggerFactory.getLogger(ReaderCorpus.class);

    /**
     * Sizes and shares of the parts. MiniLM features of every text are computed before training (about 20 ms per
     * text on one core), so the recipe bounds the number of distinct texts.
     *
     * @param dev              NQ questions held out for development
     * @param nqTrain          NQ questions used for training (their passages also serve cloze questions)
     * @param essayPassages    essay passages, each giving cloze questions
     * @param newsPassages     CNN/DM passages, each giving cloze questions
     * @param nqCloze          share of NQ training passages that also give cloze questions
     * @param clozePerPassage  cloze questions asked of each passage that gives them, about different sentences
     * @param unanswerable     share of answerable examples paired with one passage lacking the answer
     * @param long_            share placed among {@code minDistractors..maxDistractors} distractors
     * @param longUnanswerable share asked over distractors only
     * @param phraseAnswers    cloze questions also ask for common noun phrases ({@link TaggedPhrases}), not only for
     *                         names and numbers ({@link NamesAndNumbers})
     * @param clozeForm        how cloze questions are worded
     */
    public record Recipe(int dev, int nqTrain, int essayPassages, int newsPassages, double nqCloze,
            int clozePerPassage, double unanswerable, double long_, double longUnanswerable, int minDistractors,
            int maxDistractors, boolean phraseAnswers, Cloze.Form clozeForm) {
        /**
         * Every NQ question not held out, 600 essay and 600 news passages, long inputs with up to 9 distractors
         * (the size of XQuAD's distractors setting): a run of a few thousand updates passes over the data several
         * times, so the MiniLM features of all of it (about four minutes) are worth computing.
         */
        public static Recipe standard() {
            return new Recipe(150, Integer.MAX_VALUE, 600, 600, 1.0, 1, 0.3, 0.3, 0.15, 2, 9, false,
                    Cloze.Form.IN_PLACE);
        }

        /**
         * The standard recipe whose cloze questions ask for any of four kinds of span, drawn evenly: years, numbers,
         * names and common noun phrases.
         */
        public static Recipe phrases() {
            Recipe standard = standard();
            return new Recipe(standard.dev, standard.nqTrain, standard.essayPassages, standard.newsPassages,
                    standard.nqCloze, standard.clozePerPassage, standard.unanswerable, standard.long_,
                    standard.longUnanswerable, standard.minDistractors, standard.maxDistractors, true,
                    standard.clozeForm);
        }

        /** The phrases recipe with its cloze questions fronted and noisy ({@link Cloze.Form#FRONTED_NOISY}). */
        public static Recipe fronted() {
            return phrases().withClozeForm(Cloze.Form.FRONTED_NOISY);
        }

        /**
         * The phrases recipe where half the cloze questions whose sentence allows it hide a second span of another
         * kind ({@link Cloze.Form#TWO_GAPS}), so that the question word decides which span is asked for.
         */
        public static Recipe typed() {
            return phrases().withClozeForm(Cloze.Form.TWO_GAPS);
        }

        /**
         * The phrases recipe with every answerable example also placed among 9 distractors (XQuAD's distractors
         * setting) instead of 30% of them among 2 to 9: long inputs are where the readers lose most on development
         * data, and where differential attention is meant to help.
         */
        public static Recipe longInputs() {
            Recipe phrases = phrases();
            return new Recipe(phrases.dev, phrases.nqTrain, phrases.essayPassages, phrases.newsPassages,
                    phrases.nqCloze, phrases.clozePerPassage, phrases.unanswerable, 1.0, phrases.longUnanswerable,
                    9, 9, phrases.phraseAnswers, phrases.clozeForm);
        }

        /**
         * The standard recipe with every essay and news passage (about 1,100 and 1,700) and two cloze questions per
         * passage: about twice the answerable examples, most of the new ones cloze.
         */
        public static Recipe wide() {
            Recipe standard = standard();
            return new Recipe(standard.dev, standard.nqTrain, Integer.MAX_VALUE, Integer.MAX_VALUE, standard.nqCloze,
                    2, standard.unanswerable, standard.long_, standard.longUnanswerable, standard.minDistractors,
                    standard.maxDistractors, standard.phraseAnswers, standard.clozeForm);
        }

        private Recipe withClozeForm(Cloze.Form form) {
            return new Recipe(dev, nqTrain, essayPassages, newsPassages, nqCloze, clozePerPassage, unanswerable,
                    long_, longUnanswerable, minDistractors, maxDistractors, phraseAnswers, form);
        }
    }

    public record Split(List<ReaderExample> train, List<ReaderExample> dev) {}

    private ReaderCorpus() {}

    /**
     * The recipe's training examples and the development examples, which are the standard recipe's whatever the
     * recipe (its distractors come from its passage pool), so that readers of every recipe are chosen on the same
     * examples.
     */
    public static Split build(Path data, Recipe recipe, long seed) throws IOException {
        Split standard = buildWith(data, Recipe.standard(), seed);
        return recipe.equals(Recipe.standard()) ? standard
                : new Split(buildWith(data, recipe, seed).train(), standard.dev());
    }

    private static Split buildWith(Path data, Recipe recipe, long seed) throws IOException {
        Random random = new Random(seed);
        Path nqFile = data.resolve("qa/nq-open-oracle.jsonl.gz");
        List<ReaderExample> nq = naturalQuestions(nqFile);
        if (nq.size() < recipe.dev()) {
            throw new IllegalArgumentException(nqFile + " holds " + nq.size()
                    + " usable questions; the development set alone needs " + recipe.dev());
        }
        Collections.shuffle(nq, random);
        List<ReaderExample> dev = new ArrayList<>(nq.subList(0, recipe.dev()));
        List<ReaderExample> train = new ArrayList<>(nq.subList(recipe.dev(),
                recipe.dev() + Math.min(nq.size() - recipe.dev(), recipe.nqTrain())));
        // Some NQ passages serve several reworded questions, some of them with the passage itself edited ("who won
        // the mens single ice skating 2018" / "who won the medals in men's figure skating 2018": the same passage but
        // for its whitespace): a dev question's passage is never trained on, under any question, in any edit.
        List<Set<String>> devPassages =
                dev.stream().map(e -> NearDuplicates.fingerprint(e.passages().get(0).text())).toList();
        train.removeIf(e -> NearDuplicates.sameAsAny(NearDuplicates.fingerprint(e.passages().get(0).text()),
                devPassages));

        List<Passage> essays = chunks(textFiles(data.resolve("longctx/paul-graham-essays")), "essay", random);
        List<Passage> news = chunks(articles(data.resolve("summarization/cnndm-250.jsonl")), "news", random);
        essays = essays.subList(0, Math.min(recipe.essayPassages(), essays.size()));
        news = news.subList(0, Math.min(recipe.newsPassages(), news.size()));
        List<Passage> pool = new ArrayList<>();
        train.forEach(e -> pool.addAll(e.passages()));
        pool.addAll(essays);
        pool.addAll(news);

        List<ReaderExample> answerable = new ArrayList<>(train);
        Cloze cloze = new Cloze(recipe.phraseAnswers() ? new TaggedPhrases() : new NamesAndNumbers(),
                recipe.clozeForm());
        addCloze(answerable, cloze, essays, recipe.clozePerPassage(), random);
        addCloze(answerable, cloze, news, recipe.clozePerPassage(), random);
        List<Passage> nqPassages = train.stream().map(e -> e.passages().get(0)).toList();
        addCloze(answerable, cloze, nqPassages.subList(0, (int) (nqPassages.size() * recipe.nqCloze())),
                recipe.clozePerPassage(), random);

        Distractors distractors = new Distractors(pool);
        List<ReaderExample> trainSet = new ArrayList<>(answerable);
        trainSet.addAll(derived(answerable, distractors, recipe, random));
        Collections.shuffle(trainSet, random);

        List<ReaderExample> devSet = new ArrayList<>(dev);
        // long ones as XQuAD's distractors setting
        Recipe devRecipe = new Recipe(0, 0, 0, 0, 0, 0, 1, 1, 1, 9, 9, false, Cloze.Form.IN_PLACE);
        devSet.addAll(derived(dev, distractors, devRecipe, random));
        return new Split(trainSet, devSet);
    }

    /** Unanswerable and long examples, as shares of the answerable ones. */
    private static List<ReaderExample> derived(List<ReaderExample> answerable, Distractors distractors, Recipe recipe,
            Random random) {
        List<ReaderExample> derived = new ArrayList<>();
        for (ReaderExample example : answerable) {
            int count = recipe.minDistractors() + random.nextInt(recipe.maxDistractors() - recipe.minDistractors() + 1);
            try {
                if (random.nextDouble() < recipe.unanswerable()) {
                    derived.add(distractors.unanswerable(example, 1, random));
                }
                if (random.nextDouble() < recipe.long_()) {
                    derived.add(distractors.amongDistractors(example, count, random));
                }
                if (random.nextDouble() < recipe.longUnanswerable()) {
                    derived.add(distractors.unanswerable(example, count, random));
                }
            } catch (IllegalStateException e) {
                // An answer as common as "in" occurs nearly everywhere: no passage can stand in for one lacking it.
                LOG.debug("no distractors: {}", e.getMessage());
            }
        }
        return derived;
    }

    private static void addCloze(List<ReaderExample> into, Cloze cloze, List<Passage> passages, int perPassage,
            Random random) {
        for (Passage passage : passages) {
            into.addAll(cloze.questions(passage, perPassage, random));
        }
    }

    /**
     * NQ questions whose answer string occurs in the oracle passage; the first occurrence is the gold span. A record
     * without its question, answers or oracle passage text is an error naming the line and the field.
     */
    static List<ReaderExample> naturalQuestions(Path file) throws IOException {
        List<ReaderExample> examples = new ArrayList<>();
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(
                new GZIPInputStream(Files.newInputStream(file)), StandardCharsets.UTF_8))) {
            String line;
            int lineNumber = 0;
            int number = 0;
            while ((line = reader.readLine()) != null) {
                lineNumber++;
                if (line.isBlank()) {
                    continue;
                }
                String where = file + " line " + lineNumber;
                JsonNode record = record(line, where);
                String question = JsonFields.text(record, "question", where, "");
                JsonNode ctxs = JsonFields.get(record, "ctxs", JsonNodeType.ARRAY, where, "");
                if (ctxs.isEmpty()) {
                    throw new IOException(where + ": ctxs is empty (ctxs[0] is the oracle passage)");
                }
                String text = JsonFields.text(ctxs.get(0), "text", where, "ctxs[0]");
                JsonNode answerNodes = JsonFields.get(record, "answers", JsonNodeType.ARRAY, where, "");
                List<String> answers = new ArrayList<>();
                for (int a = 0; a < answerNodes.size(); a++) {
                    answers.add(JsonFields.text(answerNodes.get(a), where, "answers[" + a + "]"));
                }
                Passage passage = new Passage("nq-" + number++, text);
                int[] span = find(text, answers);
                if (span != null) {
                    examples.add(ReaderExample.single(question, passage, span[0], span[1], answers));
                }
            }
        }
        return examples;
    }

    private static JsonNode record(String line, String where) throws IOException {
        JsonNode record;
        try {
            record = JSON.readTree(line);
        } catch (JsonProcessingException e) {
            throw new IOException(where + ": not JSON: " + e.getMessage(), e);
        }
        if (!record.isObject()) {
            throw new IOException(where + ": not a JSON object");
        }
        return record;
    }

    /**
     * The first occurrence of any answer as written, else ignoring case; null when none occurs. Only whole-word
     * occurrences count: "201" inside "2018" or "Iran" inside "Iranian" would label the wrong words (23 of NQ's 2,655
     * passages hold such a false occurrence before the real one).
     */
    static int[] find(String text, List<String> answers) {
        for (boolean ignoreCase : new boolean[] {false, true}) {
            String haystack = ignoreCase ? text.toLowerCase(Locale.ROOT) : text;
            if (haystack.length() != text.length()) {
                continue; // lower-casing keeps lengths for the text we meet; a mismatch would shift offsets
            }
            for (String answer : answers) {
                String needle = ignoreCase ? answer.toLowerCase(Locale.ROOT) : answer;
                if (needle.isBlank()) {
                    continue;
                }
                for (int at = haystack.indexOf(needle); at >= 0; at = haystack.indexOf(needle, at + 1)) {
                    int end = at + needle.length();
                    if (!splitsWord(text, at) && !splitsWord(text, end)) {
                        return new int[] {at, end};
                    }
                }
            }
        }
        return null;
    }

    /** Whether offset {@code at} lies between two letters or digits, inside a word. */
    private static boolean splitsWord(String text, int at) {
        return at > 0 && at < text.length() && Character.isLetterOrDigit(text.codePointBefore(at))
                && Character.isLetterOrDigit(text.codePointAt(at));
    }

    private static List<String> textFiles(Path directory) throws IOException {
        try (Stream<Path> files = Files.list(directory)) {
            List<String> texts = new ArrayList<>();
            for (Path file : files.filter(f -> f.toString().endsWith(".txt")).sorted().toList()) {
                texts.add(Files.readString(file));
            }
            return texts;
        }
    }

    /**
     * The summarizer's training and development articles, in file order: its test part, and near duplicates of it, are
     * trained on by no model.
     */
    private static List<String> articles(Path file) throws IOException {
        List<CnnDmArticles.Article> all = CnnDmArticles.read(file);
        CnnDmArticles.Split split = CnnDmArticles.split(all, CnnDmArticles.SPLIT_SEED);
        Set<String> trained = Stream.concat(split.train().stream(), split.dev().stream())
                .map(CnnDmArticles.Article::id)
                .collect(Collectors.toSet());
        return all.stream().filter(a -> trained.contains(a.id())).map(CnnDmArticles.Article::article).toList();
    }

    /** Passages of about {@value #CHUNK_WORDS} words, shuffled. */
    private static List<Passage> chunks(List<String> texts, String prefix, Random random) {
        List<Passage> passages = new ArrayList<>();
        for (String text : texts) {
            for (String chunk : Cloze.chunks(text, CHUNK_WORDS)) {
                passages.add(new Passage(prefix + "-" + passages.size(), chunk));
            }
        }
        Collections.shuffle(passages, random);
        return passages;
    }
}
