package dev.diffrag.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.MalformedInputException;
import java.nio.file.NoSuchFileException;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;

class CommandLinesTest {

    @Test
    void describesAMissingFileAndNonUtf8TextInWords() {
        assertThat(CommandLines.describe(new NoSuchFileException("data/x.json"))).isEqualTo("no such file: data/x.json");
        assertThat(CommandLines.describe(new MalformedInputException(1)))
                .isEqualTo("not UTF-8 text (Input length = 1)");
    }

    @Test
    void addsTheCauseUnlessTheMessageAlreadySaysIt() {
        IOException load = new IOException("cannot load the reader 'x'", new NoSuchFileException("x/config.json"));
        assertThat(CommandLines.describe(load)).isEqualTo("cannot load the reader 'x': no such file: x/config.json");

        RuntimeException wrapped = new RuntimeException("failed: bad input", new IllegalStateException("bad input"));
        assertThat(CommandLines.describe(wrapped)).isEqualTo("failed: bad input");

        assertThat(CommandLines.describe(new IllegalStateException())).isEqualTo("java.lang.IllegalStateException");
    }

    @Command(name = "fails")
    static final class Failing implements Callable<Integer> {
        @Override
        public Integer call() throws IOException {
            throw new IOException("cannot read", new NoSuchFileException("in.jsonl"));
        }
    }

    @Test
    void anErrorOfTheCommandPrintsOneLineAndExitsOne() {
        StringWriter err = new StringWriter();
        CommandLine commandLine = CommandLines.withOneLineErrors(new Failing());
        commandLine.setErr(new PrintWriter(err));

        int exit = commandLine.execute();

        assertThat(exit).isEqualTo(1);
        assertThat(err.toString()).isEqualTo("error: cannot read: no such file: in.jsonl" + System.lineSeparator());
    }
}
