package dev.diffrag.reader;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class CalibrateCommandOptionsTest {

    /** A folder as {@code train --out OUT} leaves it: OUT/training.json beside OUT/diff-v1/. */
    private static Path trainedCheckpoint(Path out, String recordedCommand) throws IOException {
        Files.writeString(out.resolve("training.json"), "{\"command\": \"" + recordedCommand + "\", "
                + "\"results\": [{\"variant\": \"diff-v1\"}]}");
        return Files.createDirectories(out.resolve("diff-v1"));
    }

    private static String calibrate(String... args) {
        StringWriter errors = new StringWriter();
        CommandLine cli = ReaderCli.commandLine();
        cli.setErr(new PrintWriter(errors));
        assertThat(cli.execute(args)).isNotZero();
        return errors.toString();
    }

    @Test
    void aCheckpointTrainedWithAnotherSeedIsRefusedBeforeTheDataIsRead(@TempDir Path dir) throws IOException {
        // Without --seed the command calibrated a seed-1 reader on seed 42's development split, 141 of whose 150
        // questions that reader was trained on, and wrote the optimistic threshold into its calibration.json.
        Path checkpoint = trainedCheckpoint(dir, "reader train ../shared/data --out " + dir + " --variants diff-v1 "
                + "--steps 6000 --seed 1");
        assertThat(calibrate("calibrate", dir.resolve("data").toString(), checkpoint.toString()))
                .startsWith("error: " + checkpoint + " was trained with --seed 1");
    }

    @Test
    void theSeedTheCheckpointWasTrainedWithIsAccepted(@TempDir Path dir) throws IOException {
        Path checkpoint = trainedCheckpoint(dir, "reader train ../shared/data --variants diff-v1");
        Path data = dir.resolve("data");
        // Past the check, the command reads the data: here there is none.
        assertThat(calibrate("calibrate", data.toString(), checkpoint.toString()))
                .startsWith("error: no such file: " + data.resolve("qa/nq-open-oracle.jsonl.gz"));
        Path seeded = trainedCheckpoint(Files.createDirectories(dir.resolve("seeded")),
                "reader train ../shared/data --seed 2 --removed-option 3");
        assertThat(calibrate("calibrate", data.toString(), seeded.toString(), "--seed", "2"))
                .startsWith("error: no such file: ");
    }
}
