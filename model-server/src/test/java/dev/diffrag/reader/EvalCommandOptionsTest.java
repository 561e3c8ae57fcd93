package dev.diffrag.reader;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
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
        Path xquad = Files.writeString(dir.resolve("squad.json"), "{\"data\":[{\"title\":\"T\",\"paragraphs\":"
                + "[{\"context\":\"Paris is in France.\",\"qas\":[{\"id\":\"q1\",\"question\":\"Where is "
                + "Paris?\",\"answers\":[{\"answer_start\":12,\"text\":\"France\"}]}]}]}]}");
        StringWriter errors = new StringWriter();
        CommandLine cli = ReaderCli.commandLine();
        cli.setErr(new PrintWriter(errors));
        int exit = cli.execute("eval", xquad.toString(), "--update", "--no-baseline",
                "--reader", "mine=" + dir.resolve("no-such-checkpoint"), "--out", dir.resolve("out").toString());
        assertThat(exit).isNotZero();
        assertThat(errors.toString()).startsWith("error: --update needs an earlier report at ");
    }
}
