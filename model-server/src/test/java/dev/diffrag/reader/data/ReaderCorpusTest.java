package dev.diffrag.reader.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.diffrag.summarize.eval.CnnDmArticles;
import java.io.IOException;
import java.io.Writer;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The corpus built from a small data folder laid out as ../shared/data. */
class ReaderCorpusTest {

    @TempDir
    static Path data;

    /** Enough for the summarizer's split: 150 train, 25 dev, the rest test. */
    private static final int ARTICLES = CnnDmArticles.TRAIN + CnnDmArticles.DEV + 5;

    @BeforeAll
    static void writeDataFolder() throws IOException {
        Files.createDirectories(data.resolve("qa"));
        try (Writer out = new OutputStreamWriter(new GZIPOutputStream(
                Files.newOutputStream(data.resolve("qa/nq-open-oracle.jsonl.gz"))), StandardCharsets.UTF_8)) {
            for (int i = 0; i < 220; i++) {
                out.write(String.format("{\"question\":\"who founded town %d\",\"answers\":[\"Founder %s\"],"
                        + "\"ctxs\":[{\"text\":\"%s\"}]}%n", i, name(i), passage(i)));
            }
            // As in NQ, some passages serve a second, reworded question, half of them with the passage's whitespace
            // changed.
            for (int i = 0; i < 40; i++) {
                String text = i % 2 == 0 ? passage(i) : passage(i).replace(". It was", ".  It was");
                out.write(String.format("{\"question\":\"who founded the town numbered %d\",\"answers\":[\"Founder %s\"],"
                        + "\"ctxs\":[{\"text\":\"%s\"}]}%n", i, name(i), text));
            }
        }
        Files.createDirectories(data.resolve("longctx/paul-graham-essays"));
        Files.createDirectories(data.resolve("summarization"));
        for (int i = 0; i < 6; i++) {
            StringBuilder essay = new StringBuilder();
            for (int p = 0; p < 12; p++) {
                essay.append(passage(1000 + 12 * i + p)).append(' ');
            }
            Files.writeString(data.resolve("longctx/paul-graham-essays/essay-" + i + ".txt"), essay);
        }
        List<String> articles = new ArrayList<>();
        for (int i = 0; i < ARTICLES; i++) {
            articles.add(String.format("{\"id\":\"a%d\",\"url\":\"u\",\"article\":\"%s\",\"reference\":\"r\","
                    + "\"peers\":{}}", i, passage(2000 + i)));
        }
        Files.write(data.resolve("summarization/cnndm-250.jsonl"), articles);
    }

    private static String name(int i) {
        return "Alpha Beta Gamma Delta Epsilon Zeta Eta Theta".split(" ")[i % 8] + (char) ('a' + i / 8 % 26);
    }

    private static final String[] PLACES = ("river hill valley lake forest coast plain harbour bridge mill market "
            + "castle church square road field orchard meadow quarry canal").split(" ");

    /**
     * About 60 words in four sentences, with years, numbers and names to hide; places drawn for each passage, so that
     * two passages are not near duplicates of each other.
     */
    private static String passage(int i) {
        Random random = new Random(i);
        Object[] places = random.ints(6, 0, PLACES.length).mapToObj(p -> PLACES[p]).toArray();
        return String.format("Town %d lies on the %s in the northern %s of the old country. It was founded "
                + "in %d by Founder %s, who came with %d families from the %s. The %s of the town opened "
                + "when Mayor Harold Stone signed the charter in %d. Today about %d people live there and work "
                + "in the %s by the %s.", i, places[0], places[1], 1700 + i % 200, name(i), 10 + i % 50, places[2],
                places[3], 1800 + i % 150, 1000 + i, places[4], places[5]);
    }

    @Test
    void fewerNaturalQuestionsThanTheDevelopmentSetAreRefusedNamingTheFile(@TempDir Path small) throws IOException {
        // It failed with "toIndex = 150" from List.subList.
        Path nq = Files.createDirectories(small.resolve("qa")).resolve("nq-open-oracle.jsonl.gz");
        try (Writer out = new OutputStreamWriter(new GZIPOutputStream(Files.newOutputStream(nq)),
                StandardCharsets.UTF_8)) {
            for (int i = 0; i < 20; i++) {
                out.write(String.format("{\"question\":\"who founded town %d\",\"answers\":[\"Founder %s\"],"
                        + "\"ctxs\":[{\"text\":\"%s\"}]}%n", i, name(i), passage(i)));
            }
        }
        assertThatThrownBy(() -> ReaderCorpus.build(small, ReaderCorpus.Recipe.standard(), 42))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(nq + " holds 20 usable questions; the development set alone needs 150");
    }

    @Test
    void everyRecipeIsChosenOnTheSameDevelopmentExamples() throws IOException {
        ReaderCorpus.Split standard = ReaderCorpus.build(data, ReaderCorpus.Recipe.standard(), 42);
        ReaderCorpus.Split wide = ReaderCorpus.build(data, ReaderCorpus.Recipe.wide(), 42);
        assertThat(wide.dev()).isEqualTo(standard.dev());
        assertThat(standard.dev()).hasSize(600); // 150 questions: alone, among 9 distractors, and two unanswerable
        assertThat(wide.train().size()).isGreaterThan(standard.train().size() * 3 / 2);
        assertThat(ReaderCorpus.build(data, ReaderCorpus.Recipe.phrases(), 42).dev()).isEqualTo(standard.dev());
    }

    @Test
    void onlyThePhrasesRecipeAsksForCommonNounPhrases() throws IOException {
        Set<String> standard = clozeAnswers(ReaderCorpus.build(data, ReaderCorpus.Recipe.standard(), 42));
        Set<String> phrases = clozeAnswers(ReaderCorpus.build(data, ReaderCorpus.Recipe.phrases(), 42));
        // "the river", "the market", "the mills", ...: hidden behind "what" only by the phrases recipe
        assertThat(standard).noneMatch(answer -> answer.startsWith("the "));
        assertThat(phrases).anyMatch(answer -> answer.startsWith("the "));
    }

    @Test
    void onlyTheTypedRecipeDropsASecondSpanAndItKeepsTheDevelopmentExamples() throws IOException {
        ReaderCorpus.Split phrases = ReaderCorpus.build(data, ReaderCorpus.Recipe.phrases(), 42);
        ReaderCorpus.Split typed = ReaderCorpus.build(data, ReaderCorpus.Recipe.typed(), 42);
        assertThat(typed.dev()).isEqualTo(phrases.dev());
        // Only a two-gap question starts with its question word (the NQ questions start with "who founded").
        assertThat(phrases.train()).isNotEmpty().noneMatch(e -> e.question().startsWith("what year"));
        assertThat(typed.train()).anyMatch(e -> e.question().startsWith("what year"));
    }

    @Test
    void theLongRecipePutsEveryAnswerableExampleAmongNineDistractors() throws IOException {
        ReaderCorpus.Split phrases = ReaderCorpus.build(data, ReaderCorpus.Recipe.phrases(), 42);
        ReaderCorpus.Split longInputs = ReaderCorpus.build(data, ReaderCorpus.Recipe.longInputs(), 42);
        assertThat(longInputs.dev()).isEqualTo(phrases.dev());
        long answerable = longInputs.train().stream().filter(e -> e.passages().size() == 1 && e.answerPassage() >= 0)
                .count();
        long amongNine = longInputs.train().stream().filter(e -> e.passages().size() == 10 && e.answerPassage() >= 0)
                .count();
        // all but those whose answer is so common that this small test corpus has no passage lacking it
        assertThat(amongNine).isBetween(answerable * 2 / 3, answerable);
        assertThat(phrases.train().stream().filter(e -> e.passages().size() == 10 && e.answerPassage() >= 0).count())
                .isLessThan(answerable / 2);
    }

    /** Answers of the training questions that are cloze questions (the NQ ones ask "who founded town ..."). */
    private static Set<String> clozeAnswers(ReaderCorpus.Split split) {
        return split.train().stream().filter(e -> !e.question().startsWith("who founded"))
                .flatMap(e -> e.answers().stream()).collect(Collectors.toSet());
    }

    @Test
    void developmentQuestionsAreNeverTrainedOn() throws IOException {
        ReaderCorpus.Split wide = ReaderCorpus.build(data, ReaderCorpus.Recipe.wide(), 42);
        Set<String> devQuestions = wide.dev().stream().map(ReaderExample::question).collect(Collectors.toSet());
        assertThat(devQuestions).isNotEmpty();
        assertThat(wide.train()).isNotEmpty().noneMatch(e -> devQuestions.contains(e.question()));
    }

    @Test
    void noPassageOfADevelopmentQuestionIsTrainedOnUnderAnotherQuestionEvenWithItsWhitespaceChanged()
            throws IOException {
        ReaderCorpus.Split split = ReaderCorpus.build(data, ReaderCorpus.Recipe.standard(), 42);
        Set<String> devPassages = split.dev().stream().filter(e -> e.answerPassage() >= 0)
                .map(e -> squashed(e.passages().get(e.answerPassage()).text()))
                .collect(Collectors.toSet());

        assertThat(devPassages).isNotEmpty();
        assertThat(split.train()).isNotEmpty()
                .noneMatch(e -> e.passages().stream().anyMatch(p -> devPassages.contains(squashed(p.text()))));
    }

    private static String squashed(String text) {
        return String.join(" ", text.strip().split("\\s+"));
    }

    @Test
    void theSummarizersTestArticlesAreInNoTrainingExample() throws IOException {
        List<CnnDmArticles.Article> all = CnnDmArticles.read(data.resolve("summarization/cnndm-250.jsonl"));
        List<String> testTexts = CnnDmArticles.split(all, CnnDmArticles.SPLIT_SEED).test().stream()
                .map(CnnDmArticles.Article::article).toList();

        ReaderCorpus.Split split = ReaderCorpus.build(data, ReaderCorpus.Recipe.standard(), 42);

        assertThat(testTexts).isNotEmpty();
        assertThat(split.train()).isNotEmpty().allSatisfy(e -> assertThat(e.passages())
                .noneMatch(p -> testTexts.stream().anyMatch(t -> t.contains(p.text()) || p.text().contains(t))));
    }

    @Test
    void anAnswerIsFoundAsAWholeWordNotInsideAnother() {
        // NQ passages as they are: the first "201" is inside "2018", the first "Iran" inside "Iranian".
        String episodes = "As of January 17, 2018, 201 episodes have aired.";
        assertThat(ReaderCorpus.find(episodes, List.of("201"))).containsExactly(24, 27);
        String sheep = "Sheep farming in Iranian statuary dates back; in Iran sheep are kept.";
        assertThat(ReaderCorpus.find(sheep, List.of("Iran"))).containsExactly(49, 53);
        // Case-insensitive only when no answer occurs as written; a word answer inside another word is no answer.
        assertThat(ReaderCorpus.find("The River rises.", List.of("river"))).containsExactly(4, 9);
        assertThat(ReaderCorpus.find("Bulgarian culture.", List.of("Bulgaria"))).isNull();
        assertThat(ReaderCorpus.find("It cost $5, (approx).", List.of("$5", "(approx)"))).containsExactly(8, 10);
    }
}
