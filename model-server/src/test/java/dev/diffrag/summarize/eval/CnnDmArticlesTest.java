package dev.diffrag.summarize.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CnnDmArticlesTest {

    private static final long SEED = 3;

    /** 250 articles of 300 random words each: no two share a word 8-gram. */
    private static List<CnnDmArticles.Article> articles() {
        Random random = new Random(1);
        List<CnnDmArticles.Article> articles = new ArrayList<>();
        for (int a = 0; a < 250; a++) {
            StringBuilder text = new StringBuilder();
            for (int w = 0; w < 300; w++) {
                text.append("w").append(random.nextInt(100_000)).append(' ');
            }
            articles.add(new CnnDmArticles.Article("a" + a, "url" + a, text.toString(), "ref" + a, Map.of()));
        }
        return articles;
    }

    /** {@code articles} with the text of the one whose id is {@code id} replaced. */
    private static List<CnnDmArticles.Article> withText(List<CnnDmArticles.Article> articles, String id, String text) {
        return articles.stream()
                .map(a -> a.id().equals(id) ? new CnnDmArticles.Article(a.id(), a.url(), text, a.reference(), a.peers()) : a)
                .toList();
    }

    @Test
    void aTrainingArticleThatIsATestStoryEditedIsLeftOutAndTheTestPartStays() {
        List<CnnDmArticles.Article> articles = articles();
        CnnDmArticles.Split plain = CnnDmArticles.split(articles, SEED);
        String test = plain.test().get(0).article();
        String trainId = plain.train().get(7).id();
        String devId = plain.dev().get(3).id();
        String[] words = test.split(" ");
        // The test story re-edited, a new first paragraph and every 40th word changed, put where a training article
        // was (the shuffle depends on positions only)
        List<String> changed = new ArrayList<>(List.of(words));
        for (int w = 0; w < changed.size(); w += 40) {
            changed.set(w, "changed");
        }
        String edited = "A new opening paragraph. " + String.join(" ", changed);
        // Another story with a quarter of the test story's text in it: kept
        String quoting = String.join(" ", List.of(words).subList(0, 75)) + " " + plain.train().get(8).article();

        CnnDmArticles.Split split = CnnDmArticles.split(
                withText(withText(articles, trainId, edited), devId, quoting), SEED);

        assertThat(split.test()).extracting(CnnDmArticles.Article::id)
                .containsExactlyElementsOf(plain.test().stream().map(CnnDmArticles.Article::id).toList());
        assertThat(split.train()).hasSize(CnnDmArticles.TRAIN - 1).extracting(CnnDmArticles.Article::id)
                .doesNotContain(trainId);
        assertThat(split.dev()).hasSize(CnnDmArticles.DEV).extracting(CnnDmArticles.Article::id).contains(devId);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "{\"id\":\"b\",\"url\":\"u\",\"article\":\"Text.\",\"peers\":{}}                      | reference",
        "{\"id\":\"b\",\"url\":\"u\",\"article\":null,\"reference\":\"r\",\"peers\":{}}   | article",
        "{\"id\":\"b\",\"url\":\"u\",\"article\":\"Text.\",\"reference\":\"r\"}            | peers",
    })
    void aRecordWithoutAFieldIsAnErrorNamingItsLineAndTheField(String broken, String field, @TempDir Path dir)
            throws IOException {
        // Read as null, the field failed later with a NullPointerException in training or ROUGE.
        Path file = Files.write(dir.resolve("cnndm.jsonl"), List.of(
                "{\"id\":\"a\",\"url\":\"u\",\"article\":\"Text.\",\"reference\":\"r\",\"peers\":{}}",
                broken));
        assertThatThrownBy(() -> CnnDmArticles.read(file)).isInstanceOf(IOException.class)
                .hasMessageContaining(file + " line 2").hasMessageContaining(field);
    }
}
