package dev.diffrag.summarize.eval;

import static org.assertj.core.api.Assertions.assertThat;

import dev.diffrag.summarize.EmbeddedDocument;
import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.model.output.Response;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ArticleEmbeddingsTest {

    /** Embeds a sentence as {length, first character}; counts the sentences it was asked for. */
    private static final class CountingEmbedder implements EmbeddingModel {
        final AtomicInteger sentences = new AtomicInteger();

        @Override
        public Response<List<Embedding>> embedAll(List<TextSegment> segments) {
            sentences.addAndGet(segments.size());
            return Response.from(segments.stream()
                    .map(s -> Embedding.from(new float[] {s.text().length(), s.text().charAt(0)})).toList());
        }
    }

    private static final List<CnnDmArticles.Article> ARTICLES = List.of(
            new CnnDmArticles.Article("a", "u", "First one. Second one.", "ref", Map.of()),
            new CnnDmArticles.Article("b", "u", "Only sentence here.", "ref", Map.of()));

    @Test
    void aCacheCutShortByAnInterruptedWriteIsRecomputedNotFatal(@TempDir Path dir) throws IOException {
        Path cache = dir.resolve("cache.bin");
        CountingEmbedder embedder = new CountingEmbedder();
        List<EmbeddedDocument> first = ArticleEmbeddings.embed(ARTICLES, embedder, cache);
        assertThat(embedder.sentences).hasValue(3);
        assertThat(ArticleEmbeddings.embed(ARTICLES, embedder, cache)).hasSize(2);
        assertThat(embedder.sentences).hasValue(3); // all cached

        byte[] whole = Files.readAllBytes(cache);
        Files.write(cache, Arrays.copyOf(whole, whole.length - 5)); // the last entry's vector cut short
        List<EmbeddedDocument> again = ArticleEmbeddings.embed(ARTICLES, embedder, cache);
        for (int d = 0; d < 2; d++) {
            assertThat(again.get(d).sentences()).isEqualTo(first.get(d).sentences());
            assertThat(again.get(d).embeddings()).isDeepEqualTo(first.get(d).embeddings());
        }
        assertThat(embedder.sentences.get()).isBetween(4, 6); // what was cut is embedded again
        ArticleEmbeddings.embed(ARTICLES, embedder, cache);
        assertThat(embedder.sentences.get()).isBetween(4, 6); // and the repaired cache serves everything
    }

    @Test
    void anArticleWhoseTextChangedIsEmbeddedAgainEvenWhereItsSentenceOffsetsDidNot(@TempDir Path dir)
            throws IOException {
        Path cache = dir.resolve("cache.bin");
        CountingEmbedder embedder = new CountingEmbedder();
        ArticleEmbeddings.embed(ARTICLES, embedder, cache);
        // the same id and sentence offsets, other words (a corrected data file: curly quotes made straight, a typo)
        List<CnnDmArticles.Article> edited = List.of(
                new CnnDmArticles.Article("a", "u", "Other one. Second one.", "ref", Map.of()), ARTICLES.get(1));

        List<EmbeddedDocument> documents = ArticleEmbeddings.embed(edited, embedder, cache);

        assertThat(documents.get(0).embeddings()[0]).as("embedding of 'Other one.'")
                .containsExactly(10f, 'O');
        assertThat(embedder.sentences).hasValue(5);
    }
}
