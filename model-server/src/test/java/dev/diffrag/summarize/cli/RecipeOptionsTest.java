package dev.diffrag.summarize.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.diffrag.cli.CommandLines;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

/** The recipe options of {@code train} and {@code crossval} are refused when they could not mean what they say. */
class RecipeOptionsTest {

    @TempDir
    Path dir;

    private String errorsOf(String command, String... options) throws Exception {
        Path data = Files.write(dir.resolve("cnndm.jsonl"), List.of("{\"id\":\"a\",\"url\":\"u\",\"article\":\"A.\","
                + "\"reference\":\"r\",\"peers\":{\"bart\":\"b\"}}"));
        StringWriter errors = new StringWriter();
        CommandLine cli = CommandLines.withOneLineErrors(new SummarizeCli());
        cli.setErr(new PrintWriter(errors));
        List<String> args = new ArrayList<>(List.of(command, data.toString(), "--output",
                dir.resolve("out").toString()));
        args.addAll(List.of(options));
        assertThat(cli.execute(args.toArray(String[]::new))).isNotZero();
        return errors.toString();
    }

    @ParameterizedTest
    @ValueSource(strings = {"train", "crossval"})
    void aTeacherWithoutWeightIsRefusedNotIgnored(String command) throws Exception {
        // With the default --teacher-weight 0 the teacher's summaries were read and then given no weight at all.
        assertThat(errorsOf(command, "--teacher", "bart")).startsWith("error: --teacher bart needs --teacher-weight above 0");
    }

    @ParameterizedTest
    @CsvSource({"train, --soft-weight, 1.5", "crossval, --soft-weight, -0.5", "train, --teacher-weight, NaN",
            "crossval, --teacher-weight, 2"})
    void aLabelWeightOutsideZeroToOneIsRefused(String command, String option, String value) throws Exception {
        // The targets mix labels by w and 1 - w: outside [0, 1] one of them turns negative.
        assertThat(errorsOf(command, "--teacher", "bart", option, value))
                .startsWith("error: " + option + " must lie in [0, 1], got " + value);
    }
}
