package dev.diffrag.summarize.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.diffrag.cli.CommandLines;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** What {@code summarizer eval} does with its options, on a small file laid out as cnndm-250.jsonl. */
class EvalCommandOptionsTest {

    @TempDir
    Path dir;

    private Path data(String peers) throws Exception {
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            lines.add("{\"id\":\"a" + i + "\",\"url\":\"u\",\"article\":\"The council met on Monday. It approved the "
                    + "budget. Roads get more money.\",\"reference\":\"The council approved the budget .\","
                    + "\"peers\":" + peers + "}");
        }
        return Files.write(dir.resolve("cnndm.jsonl"), lines);
    }

    private int run(StringWriter errors, String... args) {
        CommandLine cli = CommandLines.withOneLineErrors(new SummarizeCli());
        cli.setErr(new PrintWriter(errors));
        return cli.execute(args);
    }

    @Test
    void checkpointsThatPartAllDoesNotEvaluateAreRefusedNotIgnored() throws Exception {
        // --part all scores LEAD-3 and the peers only: the given checkpoint was silently left out of the report.
        StringWriter errors = new StringWriter();
        int exit = run(errors, "eval", data(peers()).toString(), "--part", "all", "--diff-v1", dir.toString());
        assertThat(exit).isNotZero();
        assertThat(errors.toString()).startsWith("error: ").contains("--diff-v1").contains("--part all");
    }

    @Test
    void anArticleWithoutAPeersSummaryIsAnErrorNamingBoth() throws Exception {
        StringWriter errors = new StringWriter();
        int exit = run(errors, "eval", data("{\"bart\":\"The budget .\"}").toString(), "--part", "all");
        assertThat(exit).isNotZero();
        assertThat(errors.toString()).startsWith("error: ").contains("a0").contains("bert_sum");
    }

    @Test
    void aSplitSeedOtherThanTheCheckpointsWasTrainedOnIsRefused() throws Exception {
        // The shipped checkpoints were trained on the train and dev parts of split seed 20261128: the test part of
        // another seed holds articles they were trained on, which the report called held out.
        StringWriter errors = new StringWriter();
        int exit = run(errors, "eval", data(peers()).toString(), "--split-seed", "7");
        assertThat(exit).isNotZero();
        assertThat(errors.toString()).startsWith("error: ").contains("diff-v1").contains("split seed 20261128")
                .contains("--split-seed 7");

        Path trained = Files.createDirectories(dir.resolve("trained"));
        Files.writeString(trained.resolve("training-run.json"), "{\"splitSeed\": 7}");
        errors = new StringWriter();
        exit = run(errors, "eval", data(peers()).toString(), "--diff-v1", trained.toString(), "--vanilla",
                trained.toString());
        assertThat(exit).isNotZero();
        assertThat(errors.toString()).contains(trained.toString()).contains("split seed 7")
                .contains("--split-seed 20261128");
    }

    private static String peers() {
        return "{\"bart\":\"b .\",\"bert_sum\":\"b .\",\"pgn\":\"b .\",\"bus\":\"b .\",\"s2s\":\"b .\"}";
    }
}
