package dev.diffrag.reader;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The evaluation's switches parse as its help says. */
class EvalCommandOptionsTest {

    private static EvalCommand parse(String... args) {
        EvalCommand command = new EvalCommand();
        new CommandLine(command).parseArgs(args);
        return command;
    }

    /** Two articles: the first one's question can have at most two distractors. */
    private static Path twoArticles(Path dir) throws Exception {
        return Files.writeString(dir.resolve("squad.json"), "{\"data\":["
                + "{\"title\":\"A\",\"paragraphs\":[{\"context\":\"Paris is in France.\",\"qas\":[{\"id\":\"q1\","
                + "\"question\":\"Where is Paris?\",\"answers\":[{\"answer_start\":12,\"text\":\"France\"}]}]}]},"
                + "{\"title\":\"B\",\"paragraphs\":[{\"context\":\"Rome is in Italy.\",\"qas\":[]},"
                + "{\"context\":\"Oslo is in Norway.\",\"qas\":[]}]}]}");
    }

    @Test
    void baselineIsOnByDefaultAndNoBaselineTurnsItOff() {
        assertThat(parse("xquad.json").baseline).isTrue();
        assertThat(parse("xquad.json", "--baseline").baseline).isTrue();
        assertThat(parse("xquad.json", "--no-baseline").baseline).isFalse();
    }

    @Test
    void readersDefaultToEveryShippedReader() {
        assertThat(parse("xquad.json").readers).containsExactly("diff-v1", "vanilla", "diff-v2", "diff-v1-scratch",
                "diff-v2-long", "diff-v1-long", "vanilla-long", "diff-v2-bge-top4", "diff-v1-bge-top4",
                "vanilla-bge-top4");
    }

    @Test
    void updateWithoutAnEarlierReportFailsBeforeAnyModelIsLoaded(@TempDir Path dir) throws Exception {
        // Checked after every model was evaluated, the missing report cost the whole run (about an hour by default).
        assertThat(evalFails(dir, "--update", "--distractors", "2"))
                .startsWith("error: --update needs an earlier report at ");
    }

    @Test
    void moreDistractorsThanOtherArticlesHoldAreRefusedBeforeAnyModelIsLoaded(@TempDir Path dir) throws Exception {
        // Found when the first model reached the distractors setting: "error: toIndex = 9".
        assertThat(evalFails(dir, "--distractors", "9")).startsWith("error: --distractors must be between 1 and 2");
    }

    /** The error output of {@code reader eval} over two articles with a missing checkpoint, which must fail. */
    private static String evalFails(Path dir, String... options) throws Exception {
        Path xquad = twoArticles(dir);
        StringWriter errors = new StringWriter();
        CommandLine cli = ReaderCli.commandLine();
        cli.setErr(new PrintWriter(errors));
        List<String> args = new ArrayList<>(List.of("eval", xquad.toString(), "--no-baseline",
                "--reader", "mine=" + dir.resolve("no-such-checkpoint"), "--out", dir.resolve("out").toString()));
        args.addAll(List.of(options));
        assertThat(cli.execute(args.toArray(String[]::new))).isNotZero();
        return errors.toString();
    }
}
