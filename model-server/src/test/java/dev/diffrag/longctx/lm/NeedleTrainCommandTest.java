package dev.diffrag.longctx.lm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.diffrag.cli.CommandLines;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
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
