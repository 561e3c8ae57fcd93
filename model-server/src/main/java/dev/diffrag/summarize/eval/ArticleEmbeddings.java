package dev.diffrag.summarize.eval;

import dev.diffrag.summarize.EmbeddedDocument;
import dev.diffrag.text.SentenceSplitter;
import dev.langchain4j.model.embedding.EmbeddingModel;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Sentence embeddings of articles, cached in a file keyed by article id: embedding the 250 articles' sentences with
 * MiniLM takes minutes on a shared CPU, and train and eval need the same vectors. A cached entry is used only when
 * the article's text is the one it was embedded from (by its SHA-256) and its sentence offsets still match the
 * splitter's; anything else is recomputed. Offsets alone missed an edit that keeps them ("First one." made "Other
 * one."), whose stale vectors were used.
 */
public final class ArticleEmbeddings {

    /** Opens a cache file of this format; a file without it (the earlier format) is embedded again whole. */
    private static final int MAGIC = 0x44524132; // "DRA2"
    private static final int DIGEST_BYTES = 32;

    private ArticleEmbeddings() {}

    /** A cached article: the SHA-256 of its text, its sentence offsets and their embeddings. */
    private record Entry(byte[] digest, List<SentenceSplitter.Span> spans, float[][] vectors) {

        boolean embeds(CnnDmArticles.Article article) {
            return Arrays.equals(digest, sha256(article)) && spans.equals(SentenceSplitter.split(article.article()));
        }
    }

    /** The embedded articles in order, reading and extending {@code cacheFile} (null: no cache). */
    public static List<EmbeddedDocument> embed(List<CnnDmArticles.Article> articles, EmbeddingModel embedder,
            Path cacheFile) throws IOException {
        Map<String, Entry> cache = cacheFile != null && Files.exists(cacheFile) ? read(cacheFile) : new HashMap<>();
        List<CnnDmArticles.Article> missing = articles.stream()
                .filter(a -> !cache.containsKey(a.id()) || !cache.get(a.id()).embeds(a))
                .toList();
        if (!missing.isEmpty()) {
            System.err.printf("embedding the sentences of %d articles (%d cached)%n", missing.size(),
                    articles.size() - missing.size());
            for (int from = 0; from < missing.size(); from += 25) {
                List<CnnDmArticles.Article> part = missing.subList(from, Math.min(missing.size(), from + 25));
                List<EmbeddedDocument> fresh = EmbeddedDocument.embedAll(embedder,
                        part.stream().map(CnnDmArticles.Article::article).toList());
                for (int i = 0; i < part.size(); i++) {
                    cache.put(part.get(i).id(), new Entry(sha256(part.get(i)), fresh.get(i).sentences(),
                            fresh.get(i).embeddings()));
                }
                System.err.printf("  %d/%d articles%n", Math.min(missing.size(), from + 25), missing.size());
            }
            if (cacheFile != null) {
                write(cacheFile, cache);
            }
        }
        return articles.stream().map(a -> {
            Entry entry = cache.get(a.id());
            return new EmbeddedDocument(a.article(), entry.spans(), entry.vectors());
        }).toList();
    }

    /**
     * The complete entries of the file. One cut short (a run stopped while writing the cache) and what follows it are
     * left out, and so embedded again.
     */
    private static Map<String, Entry> read(Path file) throws IOException {
        Map<String, Entry> entries = new HashMap<>();
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file)))) {
            if (in.readInt() != MAGIC) {
                return entries;
            }
            while (true) {
                String id = in.readUTF();
                byte[] digest = new byte[DIGEST_BYTES];
                in.readFully(digest);
                int count = in.readInt();
                int width = in.readInt();
                List<SentenceSplitter.Span> spans = new ArrayList<>(count);
                float[][] vectors = new float[count][width];
                for (int s = 0; s < count; s++) {
                    spans.add(new SentenceSplitter.Span(in.readInt(), in.readInt()));
                    for (int c = 0; c < width; c++) {
                        vectors[s][c] = in.readFloat();
                    }
                }
                entries.put(id, new Entry(digest, spans, vectors));
            }
        } catch (EOFException end) {
            return entries;
        }
    }

    private static void write(Path file, Map<String, Entry> entries) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(file)))) {
            out.writeInt(MAGIC);
            for (Map.Entry<String, Entry> entry : entries.entrySet()) {
                float[][] vectors = entry.getValue().vectors();
                out.writeUTF(entry.getKey());
                out.write(entry.getValue().digest());
                out.writeInt(vectors.length);
                out.writeInt(vectors.length == 0 ? 0 : vectors[0].length);
                for (int s = 0; s < vectors.length; s++) {
                    out.writeInt(entry.getValue().spans().get(s).start());
                    out.writeInt(entry.getValue().spans().get(s).end());
                    for (float value : vectors[s]) {
                        out.writeFloat(value);
                    }
                }
            }
        }
    }

    private static byte[] sha256(CnnDmArticles.Article article) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(article.article().getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }
}
