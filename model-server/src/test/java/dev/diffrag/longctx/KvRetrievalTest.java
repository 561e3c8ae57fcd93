package dev.diffrag.longctx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KvRetrievalTest {

    @TempDir
    Path dir;

    private Path gzipped(String... lines) throws IOException {
        Path file = dir.resolve("kv.jsonl.gz");
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(file))) {
            out.write((String.join("\n", lines) + "\n").getBytes(StandardCharsets.UTF_8));
        }
        return file;
    }

    @Test
    void readsRecordsAndFindsTheGoldPosition() throws IOException {
        List<KvRetrieval.Example> examples = KvRetrieval.read(gzipped(
                "{\"ordered_kv_records\":[[\"a1\",\"v1\"],[\"b2\",\"v2\"],[\"c3\",\"v3\"]],\"key\":\"b2\",\"value\":\"v2\"}",
                "",
                "{\"ordered_kv_records\":[[\"x\",\"vx\"],[\"y\",\"vy\"]],\"key\":\"y\",\"value\":\"vy\"}"));
        assertThat(examples).hasSize(2);
        assertThat(examples.get(0).records()).containsExactly(new KvRetrieval.Pair("a1", "v1"),
                new KvRetrieval.Pair("b2", "v2"), new KvRetrieval.Pair("c3", "v3"));
        assertThat(examples.get(0).goldPosition()).isEqualTo(1);
        assertThat(examples.get(1).goldPosition()).isEqualTo(1);
        assertThat(examples.get(1).question()).isEqualTo("Key: \"y\"\nCorresponding value:");
    }

    @Test
    void rendersOnePairPerLineWithTheGoldValueOffsets() {
        // The gold value also occurs as another pair's key, so only the offsets tell which occurrence is gold.
        KvRetrieval.Example example = new KvRetrieval.Example(List.of(new KvRetrieval.Pair("vb", "va"),
                new KvRetrieval.Pair("kb", "vb"), new KvRetrieval.Pair("kc", "vc")), "kb", "vb", 1);
        KvRetrieval.Context context = example.render();
        assertThat(context.text()).isEqualTo("{\"vb\": \"va\",\n \"kb\": \"vb\",\n \"kc\": \"vc\"}");
        assertThat(context.text().substring(context.goldValueStart(), context.goldValueEnd())).isEqualTo("vb");
        assertThat(context.text().lines().toList().get(1)).contains("\"kb\"")
                .contains(context.text().substring(context.goldValueStart() - 1, context.goldValueEnd() + 1));
        assertThat(context.goldValueStart()).isGreaterThan(context.text().indexOf("\"kb\""));
    }

    @Test
    void malformedLinesFailWithTheirLineNumber() throws IOException {
        String good = "{\"ordered_kv_records\":[[\"a\",\"va\"]],\"key\":\"a\",\"value\":\"va\"}";
        assertThatThrownBy(() -> KvRetrieval.read(gzipped(good,
                "{\"ordered_kv_records\":[[\"a\",\"va\"]],\"key\":\"z\",\"value\":\"va\"}")))
                .isInstanceOf(IOException.class).hasMessageContaining("line 2").hasMessageContaining("not among");
        assertThatThrownBy(() -> KvRetrieval.read(gzipped(
                "{\"ordered_kv_records\":[[\"a\",\"vb\"]],\"key\":\"a\",\"value\":\"va\"}")))
                .hasMessageContaining("line 1").hasMessageContaining("not the gold value");
        assertThatThrownBy(() -> KvRetrieval.read(gzipped(good, "{not json")))
                .isInstanceOf(IOException.class).hasMessageContaining("line 2");
    }
}
