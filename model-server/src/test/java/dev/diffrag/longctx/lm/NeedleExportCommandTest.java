package dev.diffrag.longctx.lm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.diffrag.longctx.NeedleExample;
import dev.diffrag.longctx.NeedleTask;
import dev.diffrag.reader.ReaderTokenizer;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The blocks the GPU trainer assembles prompts from must be exactly what the Java task and prompts are made of. */
class NeedleExportCommandTest {

    @TempDir
    Path dir;

    /** Serializing fails on its accessor, as a full disk fails a write midway. */
    record Unwritable(String text) {
        @Override
        public String text() {
            throw new IllegalStateException("no space left");
        }
    }

    @Test
    void aFailedExportLeavesTheEarlierFileWhole() throws Exception {
        // The export was gzipped straight into its target: a failure midway left a truncated, unreadable file.
        Path out = dir.resolve("blocks.json.gz");
        NeedleExportCommand.write(out, List.of(1, 2, 3));
        byte[] earlier = Files.readAllBytes(out);

        assertThatThrownBy(() -> NeedleExportCommand.write(out,
                List.of(new Unwritable("x")))).isInstanceOf(IOException.class);

        assertThat(Files.readAllBytes(out)).isEqualTo(earlier);
        try (var listing = Files.list(dir)) {
            assertThat(listing).containsExactly(out);
        }
    }

    @Test
    void aWindowLargerThanTheRecordsIsRefusedNotLeftOut() throws Exception {
        // Windows are tiled while they fit a record: a size above the records' pairs gave no window at all, and the
        // export succeeded without the size it was asked for (the GPU trainer then drew from the other sizes only).
        Path data = TinyData.dataFolder(dir, NeedleTrainCommand.KV_TRAIN_RECORDS + 5, 8);
        Path out = dir.resolve("blocks.json.gz");

        int exit = new CommandLine(new NeedleExportCommand()).execute(data.toString(),
                "--out", out.toString(), "--numbers", "30", "--kv-pairs", "2,10");

        assertThat(exit).isNotZero();
        assertThat(out).doesNotExist();
    }

    @Test
    void exportsTheTokenizedBuildingBlocksOfTheTrainingData() throws Exception {
        Path longctx = TinyData.dataFolder(dir, NeedleTrainCommand.KV_TRAIN_RECORDS + 5, 8).resolve("longctx");
        Path out = dir.resolve("blocks.json.gz");

        int exit = new CommandLine(new NeedleExportCommand()).execute(dir.resolve("data").toString(),
                "--out", out.toString(), "--numbers", "300", "--kv-pairs", "2,5");

        assertThat(exit).isZero();
        JsonNode blocks;
        try (InputStream in = new GZIPInputStream(Files.newInputStream(out))) {
            blocks = new ObjectMapper().readTree(in);
        }
        try (ReaderTokenizer tokenizer = new ReaderTokenizer()) {
            NeedleTask task = NeedleTask.fromDirectory(longctx.resolve("paul-graham-essays"), tokenizer);
            assertThat(blocks.get("sep").asInt()).isEqualTo(ReaderTokenizer.SEP);
            assertThat(blocks.get("essays")).hasSize(3);
            for (int e = 0; e < 3; e++) {
                List<int[]> sentences = task.tokenizedEssays().get(e);
                assertThat(blocks.get("essays").get(e)).hasSize(sentences.size());
                assertThat(ints(blocks.get("essays").get(e).get(7))).containsExactly(sentences.get(7));
            }

            JsonNode numbers = blocks.get("numbers");
            Set<Integer> values = new HashSet<>();
            numbers.forEach(n -> values.add(n.get("value").asInt()));
            assertThat(values).hasSize(300).allMatch(v -> v >= 1_000_000 && v < 10_000_000);
            // Any city with any number splits into prefix + number + suffix, as the trainer assembles needles.
            JsonNode city = blocks.get("cities").get(4);
            JsonNode number = numbers.get(123);
            int[] assembled = IntStream.concat(IntStream.concat(IntStream.of(ints(city.get("needlePrefix"))),
                    IntStream.of(ints(number.get("ids")))), IntStream.of(ints(blocks.get("needleSuffix")))).toArray();
            assertThat(assembled).containsExactly(tokenizer.tokenize(NeedleExample.Needle.sentence(
                    city.get("name").asText(), number.get("value").asInt())).ids());
            assertThat(ints(city.get("question"))).containsExactly(tokenizer.tokenize(
                    new NeedleExample.Question(city.get("name").asText(), 0).text()).ids());
            assertThat(blocks.get("cities")).hasSize(NeedleTask.CITIES.size());
        }

        JsonNode kv = blocks.get("kv");
        // each 8-pair record cut into four windows of 2 pairs and one of 5, each asking one of its keys
        assertThat(kv).hasSize(5 * NeedleTrainCommand.KV_TRAIN_RECORDS);
        Set<Integer> askedInWindowsOfTwo = new HashSet<>();
        for (JsonNode prompt : kv) {
            if (prompt.get("pairs").asInt() == 2) {
                askedInWindowsOfTwo.add(prompt.get("answerStart").asInt() < prompt.get("contextLength").asInt() / 2
                        ? 0 : 1);
            }
            int[] ids = ints(prompt.get("ids"));
            JsonNode targets = prompt.get("targets");
            for (JsonNode row : targets) {
                assertThat(ids[row.get(0).asInt() + 1]).isEqualTo(row.get(1).asInt()); // position predicts next id
            }
            assertThat(targets.get(targets.size() - 1).get(1).asInt()).isEqualTo(ReaderTokenizer.SEP);
            // the pointer head's labels: the value's tokens in the context are the answer tokens (less [SEP])
            int start = prompt.get("answerStart").asInt();
            int end = prompt.get("answerEnd").asInt();
            assertThat(end).isLessThanOrEqualTo(prompt.get("contextLength").asInt());
            assertThat(prompt.get("query").asInt()).isEqualTo(targets.get(0).get(0).asInt());
            int[] answer = new int[targets.size() - 1];
            for (int i = 0; i < answer.length; i++) {
                answer[i] = targets.get(i).get(1).asInt();
            }
            assertThat(Arrays.copyOfRange(ids, start, end)).containsExactly(answer);
        }
        assertThat(askedInWindowsOfTwo).containsExactlyInAnyOrder(0, 1); // both keys of a window get asked
    }

    private static int[] ints(JsonNode array) {
        List<Integer> values = new ArrayList<>();
        array.forEach(v -> values.add(v.asInt()));
        return values.stream().mapToInt(Integer::intValue).toArray();
    }
}
