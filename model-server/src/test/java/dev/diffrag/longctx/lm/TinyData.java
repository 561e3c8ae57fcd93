package dev.diffrag.longctx.lm;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPOutputStream;

/** Small stand-ins for the shared data: an essay folder and a gzipped kv-retrieval file. */
final class TinyData {

    private TinyData() {}

    /** Three essays of 120 short sentences (~1.3K tokens each), enough haystack for 2K-token contexts. */
    static Path essays(Path dir) throws IOException {
        Path essays = Files.createDirectories(dir.resolve("essays"));
        String[] topics = {"startups", "painting", "cities", "programming"};
        for (int e = 0; e < 3; e++) {
            StringBuilder text = new StringBuilder();
            for (int s = 0; s < 120; s++) {
                text.append("Essay ").append(e).append(" says point ").append(s).append(" about ")
                        .append(topics[(e + s) % topics.length]).append(" matters.\n");
            }
            Files.writeString(essays.resolve("essay" + e + ".txt"), text);
        }
        return essays;
    }

    /**
     * A stand-in for {@code ../shared/data} in {@code dir/data}: {@code longctx/paul-graham-essays} ({@link #essays})
     * and {@code longctx/kv-retrieval-75.jsonl.gz} ({@link #kv}); returns the data folder.
     */
    static Path dataFolder(Path dir, int kvRecords, int pairs) throws IOException {
        Path longctx = Files.createDirectories(dir.resolve("data/longctx"));
        Files.move(essays(dir), longctx.resolve("paul-graham-essays"));
        Files.move(kv(dir, kvRecords, pairs), longctx.resolve(KV_FILE));
        return longctx.getParent();
    }

    /** The kv-retrieval file's name in {@code longctx/}. */
    static final String KV_FILE = "kv-retrieval-75.jsonl.gz";

    /** {@code records} records of {@code pairs} pairs; record r asks the pair at position r % pairs. */
    static Path kv(Path dir, int records, int pairs) throws IOException {
        List<String> lines = new ArrayList<>();
        for (int r = 0; r < records; r++) {
            StringBuilder json = new StringBuilder("{\"ordered_kv_records\":[");
            for (int p = 0; p < pairs; p++) {
                json.append(p == 0 ? "" : ",").append("[\"k").append(r).append('x').append(p)
                        .append("\",\"v").append(r).append('y').append(p).append("\"]");
            }
            int gold = r % pairs;
            json.append("],\"key\":\"k").append(r).append('x').append(gold).append("\",\"value\":\"v").append(r)
                    .append('y').append(gold).append("\"}");
            lines.add(json.toString());
        }
        Path file = dir.resolve("kv.jsonl.gz");
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(file))) {
            out.write(String.join("\n", lines).getBytes(StandardCharsets.UTF_8));
        }
        return file;
    }
}
