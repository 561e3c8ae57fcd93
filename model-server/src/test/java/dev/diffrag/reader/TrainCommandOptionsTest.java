package dev.diffrag.reader;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import dev.diffrag.reader.data.ReaderCorpus;
import dev.diffrag.reader.data.ReaderExample;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
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

    @Test
    void aScheduleThatCannotRunIsRefusedBeforeTheDataIsRead(@TempDir Path dir) {
        // --stop-after past --steps trained until its last chunk of 25 updates ran past the schedule, then failed
        // ('cannot train from step 25 to 40 of 30') with nothing saved; a warm-up longer than the run failed only
        // once the frozen features were computed.
        assertThat(errorOf(dir, "--steps", "30", "--warmup", "0", "--stop-after", "40"))
                .startsWith("error: --stop-after 40 is past the end of the --steps 30 schedule");
        assertThat(errorOf(dir, "--steps", "30", "--warmup", "40"))
                .startsWith("error: bad training config: need totalSteps > 0 and 0 <= warmupSteps <= totalSteps");
    }

    private static String errorOf(Path dir, String... options) {
        StringWriter errors = new StringWriter();
        CommandLine cli = ReaderCli.commandLine();
        cli.setErr(new PrintWriter(errors));
        List<String> args = new ArrayList<>(List.of("train", dir.toString(), "--out", dir.resolve("out").toString()));
        args.addAll(List.of(options));
        assertThat(cli.execute(args.toArray(String[]::new))).isNotZero();
        return errors.toString();
    }

    @Test
    void theLimitCutsTrainingExamplesOnly() {
        // It also cut the development set: below 150 its examples were all answerable, so the abstention threshold
        // was calibrated on no unanswerable example at all.
        List<ReaderExample> train = Collections.nCopies(1_000, null);
        List<ReaderExample> dev = Collections.nCopies(600, null);
        ReaderCorpus.Split limited = TrainCommand.limited(new ReaderCorpus.Split(train, dev), 100);
        assertThat(limited.train()).hasSize(100);
        assertThat(limited.dev()).hasSize(600);
        assertThat(TrainCommand.limited(new ReaderCorpus.Split(train, dev), 0).train()).hasSize(1_000);
    }
}
