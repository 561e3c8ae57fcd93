package dev.diffrag.reader;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class TrainCommandOptionsTest {

    @Test
    void anUnknownVariantIsRefusedBeforeTheDataIsRead(@TempDir Path dir) {
        // Checked only once the corpus was built (a minute or more on the shared data).
        StringWriter errors = new StringWriter();
        CommandLine cli = ReaderCli.commandLine();
        cli.setErr(new PrintWriter(errors));
        int exit = cli.execute("train", dir.toString(), "--variants", "diff-v2,diff-v3", "--out",
                dir.resolve("out").toString());
        assertThat(exit).isNotZero();
        assertThat(errors.toString()).startsWith("error: unknown variant diff-v3");
    }
}
