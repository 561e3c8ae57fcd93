package dev.diffrag.longctx.lm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.diffrag.cli.CommandLines;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

class NeedleReportCommandTest {

    @ParameterizedTest
    @ValueSource(ints = {10, NeedleTrainCommand.KV_TRAIN_RECORDS})
    void aKvFileWithNoRecordsPastTheTrainingOnesIsRefusedNamingTheFile(int records, @TempDir Path dir)
            throws Exception {
        // 10 records failed with "fromIndex(400) > toIndex(10)" from List.subList; 400 left nothing to evaluate.
        Path longctx = Files.createDirectories(dir.resolve("data/longctx"));
        Files.move(TinyData.essays(dir), longctx.resolve("paul-graham-essays"));
        Path kv = Files.move(TinyData.kv(dir, records, 8), longctx.resolve("kv-retrieval-75.jsonl.gz"));
        StringWriter err = new StringWriter();
        CommandLine commandLine = CommandLines.withOneLineErrors(new NeedleReportCommand());
        commandLine.setErr(new PrintWriter(err));

        assertThat(commandLine.execute(dir.resolve("data").toString(), "--out", dir.resolve("out").toString()))
                .isEqualTo(1);
        assertThat(err.toString()).isEqualTo("error: " + kv + " holds " + records + " kv-retrieval records; the "
                + "report evaluates those after the first " + NeedleTrainCommand.KV_TRAIN_RECORDS
                + System.lineSeparator());
        assertThat(dir.resolve("out")).doesNotExist();
    }
}
