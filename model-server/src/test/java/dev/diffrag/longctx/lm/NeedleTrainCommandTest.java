package dev.diffrag.longctx.lm;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.diffrag.cli.CommandLines;
import dev.diffrag.model.io.ModelFiles;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class NeedleTrainCommandTest {

    @Test
    void kvPairsTakeAMinimumAndAMaximum() {
        assertThat(errorOf("--kv-pairs", "4")).contains("--kv-pairs takes MIN,MAX, got [4]");
        assertThat(errorOf("--kv-pairs", "6,2")).contains("bad training mix", "kv pairs 6..2");
    }

    @Test
    void anUnknownModelIsRefusedBeforeAnyModelTrains() {
        // Checked as its turn came: diff-v1 trained for up to 15 minutes before "diff-v3" failed the run.
        assertThat(errorOf("--models", "diff-v1,diff-v3")).startsWith("error: unknown model diff-v3");
    }

    @Test
    void tooFewKvRecordsAreRefusedNamingTheFileAndTheCountNeeded(@TempDir Path dir) throws Exception {
        // It failed with "toIndex = 400" from List.subList.
        Path data = TinyData.dataFolder(dir, 10, 8);
        Path kv = data.resolve("longctx").resolve(TinyData.KV_FILE);
        StringWriter err = new StringWriter();
        CommandLine commandLine = CommandLines.withOneLineErrors(new NeedleTrainCommand());
        commandLine.setErr(new PrintWriter(err));

        assertThat(commandLine.execute(data.toString(), "--out", dir.resolve("out").toString()))
                .isEqualTo(1);
        assertThat(err.toString()).isEqualTo("error: " + kv + " holds 10 kv-retrieval records; training needs the "
                + "first " + NeedleTrainCommand.KV_TRAIN_RECORDS + System.lineSeparator());
        assertThat(NeedleTrainCommand.KV_TRAIN_RECORDS).isEqualTo(400);
    }

    /**
     * A run that diverges keeps the weights of its last finite update; its record must cover every update taken. The
     * updates of the interrupted ten-update chunk were taken but missing from the loss curve (stepsDone 1, empty
     * curve, first loss NaN).
     */
    @Test
    void aDivergedRunRecordsEveryUpdateItTook(@TempDir Path dir) throws Exception {
        Path data = TinyData.dataFolder(dir, NeedleTrainCommand.KV_TRAIN_RECORDS, 8);
        Path out = dir.resolve("out");
        // An absurd learning rate: the first update is finite, the weights it leaves overflow the second.
        assertThat(new CommandLine(new NeedleTrainCommand()).execute(data.toString(), "--out", out.toString(),
                "--models", "vanilla", "--steps", "20", "--warmup", "0", "--lr", "1e30", "--d-model", "16",
                "--layers", "1", "--head-dim", "8", "--max-length", "256", "--batch-tokens", "64", "--lengths", "64",
                "--length-weights", "1", "--kv-share", "0")).isZero();

        JsonNode summary = ModelFiles.JSON.readTree(out.resolve("vanilla").resolve("training.json").toFile());
        assertThat(summary.get("stoppedBy").asText()).startsWith("training diverged at step ");
        long done = summary.get("stepsDone").asLong();
        assertThat(done).isPositive();
        JsonNode curve = summary.get("lossCurve");
        assertThat(curve).as("loss curve of %d updates", done).isNotEmpty();
        assertThat(curve.get(curve.size() - 1).get(0).asLong()).isEqualTo(done);
        assertThat(summary.get("firstLoss").asDouble()).isFinite();
    }

    /** Runs {@code needle train} on a folder that does not exist: the options are checked before any data is read. */
    private static String errorOf(String... options) {
        StringWriter err = new StringWriter();
        CommandLine commandLine = CommandLines.withOneLineErrors(new NeedleTrainCommand());
        commandLine.setErr(new PrintWriter(err));
        String[] args = new String[options.length + 1];
        args[0] = "no-such-data-folder";
        System.arraycopy(options, 0, args, 1, options.length);
        assertThat(commandLine.execute(args)).isEqualTo(1);
        return err.toString();
    }
}
