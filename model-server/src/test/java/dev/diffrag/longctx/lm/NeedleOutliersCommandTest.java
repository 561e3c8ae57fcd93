package dev.diffrag.longctx.lm;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.diffrag.cli.CommandLines;
import dev.diffrag.longctx.NeedleTask;
import dev.diffrag.model.AttentionKind;
import dev.diffrag.model.io.SafeTensors;
import dev.diffrag.reader.ReaderTokenizer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class NeedleOutliersCommandTest {

    @TempDir
    Path dir;

    @Test
    void measuresEverySeedModelAndLengthOnTheExamplesAReportMeasures() throws Exception {
        Path data = dir.resolve("data");
        Files.move(TinyData.essays(Files.createDirectories(data.resolve("longctx"))),
                data.resolve("longctx/paul-graham-essays"));
        Path seed1 = dir.resolve("seed-1");
        Path seed2 = dir.resolve("seed-2");
        try (NDManager manager = NDManager.newBaseManager()) {
            save(manager, AttentionKind.DIFF_V1, 1, seed1.resolve("diff-v1"));
            save(manager, AttentionKind.VANILLA, 1, seed1.resolve("vanilla"));
            save(manager, AttentionKind.DIFF_V1, 2, seed2.resolve("diff-v1")); // seed 2 trained no vanilla
        }
        Path out = dir.resolve("out");

        int exit = new CommandLine(new NeedleCli()).execute("outliers", data.toString(), "1=" + seed1, "2=" + seed2,
                "--models", "diff-v1,vanilla", "--lengths", "96,128", "--examples", "2", "--seed", "7",
                "--out", out.toString());

        assertThat(exit).isZero();
        JsonNode rows = new ObjectMapper().readTree(out.resolve("outliers.json").toFile()).get("rows");
        List<String> measured = new ArrayList<>();
        rows.forEach(row -> measured.add(row.get("seed").asText() + " " + row.get("model").asText() + " "
                + row.get("contextTokens").asInt()));
        assertThat(measured).containsExactly("1 diff-v1 96", "1 diff-v1 128", "1 vanilla 96", "1 vanilla 128",
                "2 diff-v1 96", "2 diff-v1 128");
        for (JsonNode row : rows) {
            assertThat(row.get("examples").asInt()).isEqualTo(2);
            assertThat(row.get("logitTop1").asDouble()).isGreaterThan(row.get("logitMedian").asDouble());
            assertThat(row.get("hiddenTop1").asDouble()).isGreaterThan(row.get("hiddenMedian").asDouble());
        }
        // Different weights, different outliers: each row measured its own model.
        assertThat(rows.get(0).get("logitTop1").asDouble()).isNotEqualTo(rows.get(4).get("logitTop1").asDouble());

        // A report with the same evaluation seed, measuring outliers at 128 tokens, gets the same row.
        NeedleReport.OutlierRow fromReport = reportOutliers(data, seed1.resolve("vanilla"), 128);
        JsonNode row = rows.get(3);
        assertThat(row.get("logitTop1").asDouble()).isEqualTo(fromReport.logitTop1());
        assertThat(row.get("logitMedian").asDouble()).isEqualTo(fromReport.logitMedian());
        assertThat(row.get("hiddenTop1").asDouble()).isEqualTo(fromReport.hiddenTop1());

        String md = Files.readString(out.resolve("outliers.md"));
        assertThat(md).contains("needle outliers", "| model | tokens | seed 1 | seed 2 |", "## Top-1 attention logit",
                "## Top-1 hidden state", "| vanilla | 128 | ");
        // seed 2 trained no vanilla: its cell is a dash in both tables
        assertThat(md.lines().filter(line -> line.startsWith("| vanilla | 96 |"))).hasSize(2)
                .allMatch(line -> line.endsWith("– |"));
    }

    @Test
    void aSeedFolderHoldingNoneOfTheModelsIsRefusedBeforeAnythingIsMeasured() throws Exception {
        Path data = dir.resolve("data");
        Files.move(TinyData.essays(Files.createDirectories(data.resolve("longctx"))),
                data.resolve("longctx/paul-graham-essays"));
        Path seed1 = dir.resolve("seed-1");
        try (NDManager manager = NDManager.newBaseManager()) {
            save(manager, AttentionKind.VANILLA, 1, seed1.resolve("vanilla"));
        }
        Path out = dir.resolve("out");
        // A mistyped folder (or a report folder instead of a checkpoints folder) must not read as "seed 2 trained
        // none of these models" and leave seed 2 out of the tables without a word.
        for (Path wrong : List.of(dir.resolve("seed-2-typo"), seed1.resolve("vanilla"))) {
            int exit = new CommandLine(new NeedleCli()).execute("outliers", data.toString(), "1=" + seed1,
                    "2=" + wrong, "--models", "diff-v1,vanilla", "--lengths", "96", "--examples", "1",
                    "--out", out.toString());

            assertThat(exit).isNotZero();
            assertThat(out.resolve("outliers.json")).doesNotExist();
        }
    }

    @Test
    void aLengthPastAModelsPositionsIsRefusedBeforeAnythingIsMeasured() throws Exception {
        // The default lengths end at 8,192 and the shipped models accept 4,608 positions: without --max-length the
        // command failed at the first 8K example, after every shorter length of the first model.
        Path data = dir.resolve("data");
        Files.move(TinyData.essays(Files.createDirectories(data.resolve("longctx"))),
                data.resolve("longctx/paul-graham-essays"));
        Path seed1 = dir.resolve("seed-1");
        try (NDManager manager = NDManager.newBaseManager()) {
            save(manager, AttentionKind.VANILLA, 1, seed1.resolve("vanilla")); // 256 positions
        }
        StringWriter err = new StringWriter();
        CommandLine commandLine = CommandLines.withOneLineErrors(new NeedleOutliersCommand());
        commandLine.setErr(new PrintWriter(err));

        assertThat(commandLine.execute(data.toString(), "1=" + seed1, "--models", "vanilla", "--lengths", "96,300",
                "--examples", "1", "--out", dir.resolve("out").toString())).isEqualTo(1);
        assertThat(err.toString()).isEqualTo("error: vanilla accepts 256 positions, fewer than a 300-token context "
                + "and its [SEP]; --max-length raises the limit" + System.lineSeparator());
        assertThat(dir.resolve("out")).doesNotExist();
    }

    private static void save(NDManager manager, AttentionKind kind, long seed, Path directory) throws Exception {
        TinyModels.pointer(manager, kind, ReaderTokenizer.VOCAB_SIZE, seed).save(directory, SafeTensors.Dtype.F32);
    }

    /** The outlier row of a report (no grid, attention or kv) of one saved model, evaluation seed 7, 2 examples. */
    private static NeedleReport.OutlierRow reportOutliers(Path data, Path checkpoint, int length) throws Exception {
        ReportSettings settings = new ReportSettings(List.of(), ReportSettings.paperCells(), 1, List.of(), 1, length,
                2, List.of(), 0, 3, 7);
        try (ReaderTokenizer tokenizer = new ReaderTokenizer(); NDManager manager = NDManager.newBaseManager()) {
            NeedleTask task = NeedleTask.fromDirectory(data.resolve("longctx/paul-graham-essays"), tokenizer);
            ParameterStore ps = new ParameterStore(manager, false);
            NeedleReport.Subject subject = NeedleReportCommand.load(RetrievalHead.POINTER, checkpoint, null, 3, ps,
                    manager);
            return new NeedleReport(task, List.of(), tokenizer, settings)
                    .run(Map.of("vanilla", subject), manager).outliers().get(0);
        }
    }
}
