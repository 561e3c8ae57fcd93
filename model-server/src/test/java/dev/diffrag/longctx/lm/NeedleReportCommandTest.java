package dev.diffrag.longctx.lm;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import dev.diffrag.cli.CommandLines;
import dev.diffrag.model.AttentionKind;
import dev.diffrag.model.io.SafeTensors;
import dev.diffrag.reader.ReaderTokenizer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
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
        Path data = TinyData.dataFolder(dir, records, 8);
        Path kv = data.resolve("longctx").resolve(TinyData.KV_FILE);

        assertThat(errorOf(data.toString(), "--out", dir.resolve("out").toString())).isEqualTo("error: " + kv + " holds " + records + " kv-retrieval records; the "
                + "report evaluates those after the first " + NeedleTrainCommand.KV_TRAIN_RECORDS
                + System.lineSeparator());
        assertThat(dir.resolve("out")).doesNotExist();
    }

    @Test
    void aContextLongerThanTheModelAcceptsIsRefusedBeforeAnyEvaluation(@TempDir Path dir) throws Exception {
        // The tiny models accept 256 positions. A 300-token attention context used to fail only when the attention
        // measure reached it, after the whole accuracy grid of the first model, with the model's own "exceeds
        // maxLength" error that does not name the option that raises the limit.
        Path data = TinyData.dataFolder(dir, NeedleTrainCommand.KV_TRAIN_RECORDS + 2, 4);
        Path checkpoints = savedVanilla(dir);

        assertThat(errorOf(data.toString(), "--out", dir.resolve("out").toString(),
                "--checkpoints", checkpoints.toString(), "--models", "vanilla", "--head", "pointer",
                "--lengths", "96", "--examples", "1", "--attention-lengths", "300", "--outlier-length", "96",
                "--outlier-examples", "1", "--kv-pairs", "2", "--kv-examples", "1")).isEqualTo("error: vanilla accepts 256 positions, fewer than a 300-token context "
                + "and its [SEP]; --max-length raises the limit" + System.lineSeparator());
        assertThat(dir.resolve("out")).doesNotExist();
    }

    @ParameterizedTest
    @ValueSource(strings = {"--examples", "--outlier-examples"})
    void noExamplesToMeasureAreRefusedBeforeAnyEvaluation(String option, @TempDir Path dir) throws Exception {
        // --outlier-examples 0 failed with "nothing recorded" only after the first model's grid and attention rows.
        Path data = TinyData.dataFolder(dir, NeedleTrainCommand.KV_TRAIN_RECORDS + 2, 4);
        Path checkpoints = savedVanilla(dir);

        Map<String, String> counts = new LinkedHashMap<>(Map.of("--examples", "1", "--outlier-examples", "1"));
        counts.put(option, "0");
        List<String> args = new ArrayList<>(List.of(data.toString(), "--out",
                dir.resolve("out").toString(), "--checkpoints", checkpoints.toString(), "--models", "vanilla",
                "--head", "pointer", "--lengths", "96", "--attention-lengths", "96", "--attention-per-depth", "1",
                "--outlier-length", "96", "--kv-pairs", "2", "--kv-examples", "1"));
        counts.forEach((name, value) -> args.addAll(List.of(name, value)));

        assertThat(errorOf(args.toArray(String[]::new))).isEqualTo("error: " + option + " must be at least 1, got 0"
                + System.lineSeparator());
    }

    /** A tiny pointer model saved as {@code dir/checkpoints/vanilla}; returns the checkpoints folder. */
    private static Path savedVanilla(Path dir) throws Exception {
        Path checkpoints = dir.resolve("checkpoints");
        try (NDManager manager = NDManager.newBaseManager()) {
            TinyModels.pointer(manager, AttentionKind.VANILLA, ReaderTokenizer.VOCAB_SIZE, 1)
                    .save(checkpoints.resolve("vanilla"), SafeTensors.Dtype.F32);
        }
        return checkpoints;
    }

    /** Runs {@code needle report} with {@code args}, which must fail (exit 1); returns what it wrote on stderr. */
    private static String errorOf(String... args) {
        StringWriter err = new StringWriter();
        CommandLine commandLine = CommandLines.withOneLineErrors(new NeedleReportCommand());
        commandLine.setErr(new PrintWriter(err));
        assertThat(commandLine.execute(args)).isEqualTo(1);
        return err.toString();
    }
}
