package dev.diffrag.summarize.eval;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.diffrag.eval.NearDuplicates;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * The CNN/DailyMail evaluation file {@code summarization/cnndm-250.jsonl}: one JSON object a line
 * {@code {"id","url","article","reference","peers":{"bart":..,"bert_sum":..,...}}}, and its fixed-seed split.
 */
public final class CnnDmArticles {

    /** One article with its reference highlights and the published systems' summaries of it. */
    public record Article(String id, String url, String article, String reference, Map<String, String> peers) {}

    /**
     * A fixed partition: {@code train} for fitting, {@code dev} for choosing the checkpoint, {@code test} held out
     * from both and only ever evaluated.
     */
    public record Split(List<Article> train, List<Article> dev, List<Article> test) {}

    public static final int TRAIN = 150;
    public static final int DEV = 25;
    /** The split seed every command uses unless told otherwise, so train and eval agree on the held-out part. */
    public static final long SPLIT_SEED = 20261128L;

    /** Every field required and non-null: read as null, a missing one failed later inside training or ROUGE. */
    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_MISSING_CREATOR_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_CREATOR_PROPERTIES)
            .build();

    private CnnDmArticles() {}

    public static List<Article> read(Path file) throws IOException {
        List<Article> articles = new ArrayList<>();
        try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            int number = 0;
            while ((line = reader.readLine()) != null) {
                number++;
                if (line.isBlank()) {
                    continue;
                }
                try {
                    articles.add(JSON.readValue(line, Article.class));
                } catch (IOException e) {
                    throw new IOException(file + " line " + number + ": " + e.getMessage(), e);
                }
            }
        }
        return articles;
    }

    /**
     * Shuffles a copy with {@code seed} and cuts it into {@value #TRAIN} train, {@value #DEV} dev and the rest test
     * (75 of the 250 articles); train and dev then lose every article that is a {@linkplain NearDuplicates near
     * duplicate} of a test article. cnndm-250 holds one story twice under two URLs (test 07d6ceff, train d3a85ca1:
     * 229 of the test article's 323 word 8-grams, and references scoring R1 64 against each other), so the test
     * story and most of its reference were trained on.
     */
    public static Split split(List<Article> articles, long seed) {
        if (articles.size() <= TRAIN + DEV) {
            throw new IllegalArgumentException("need more than " + (TRAIN + DEV) + " articles, got "
                    + articles.size());
        }
        List<Article> shuffled = new ArrayList<>(articles);
        Collections.shuffle(shuffled, new Random(seed));
        List<Article> test = List.copyOf(shuffled.subList(TRAIN + DEV, shuffled.size()));
        List<Set<String>> fingerprints = test.stream().map(a -> NearDuplicates.fingerprint(a.article())).toList();
        return new Split(apartFrom(shuffled.subList(0, TRAIN), fingerprints),
                apartFrom(shuffled.subList(TRAIN, TRAIN + DEV), fingerprints), test);
    }

    private static List<Article> apartFrom(List<Article> part, List<Set<String>> test) {
        return part.stream()
                .filter(article -> !NearDuplicates.sameAsAny(NearDuplicates.fingerprint(article.article()), test))
                .toList();
    }
}
