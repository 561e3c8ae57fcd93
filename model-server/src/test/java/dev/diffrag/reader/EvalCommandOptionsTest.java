package dev.diffrag.reader;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
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
}
