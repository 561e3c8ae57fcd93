package dev.diffrag.longctx.lm;

import dev.diffrag.cli.CommandLines;
import picocli.CommandLine.Command;

/**
 * {@code needle}: train the Diff V1 / V2 / vanilla retrieval language models on multi-needle and kv-retrieval data,
 * and write the long-context report (issue 7).
 */
@Command(name = "needle", mixinStandardHelpOptions = true, version = "diffrag needle 0.1.0",
        description = "Long-context retrieval evidence: Diff Transformer vs vanilla.",
        subcommands = {NeedleTrainCommand.class, NeedleReportCommand.class, NeedleSeedsCommand.class,
                NeedleOutliersCommand.class, NeedleExportCommand.class})
public final class NeedleCli {

    private static final String LOG_CONFIG = "reader-log4j2.xml";

    public static void main(String[] args) {
        if (System.getProperty("log4j2.configurationFile") == null) {
            System.setProperty("log4j2.configurationFile", LOG_CONFIG);
        }
        System.exit(CommandLines.withOneLineErrors(new NeedleCli()).execute(args));
    }
}
