package dev.diffrag.reader;

import dev.diffrag.cli.CommandLines;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code reader}: train the Diff Transformer reader, calibrate its abstention, answer questions from a JSONL file, evaluate on xquad. */
@Command(name = "reader", mixinStandardHelpOptions = true, version = "diffrag reader 0.1.0",
        description = "Extractive reader with citations and abstention.",
        subcommands = {TrainCommand.class, CalibrateCommand.class, AnswerCommand.class, EvalCommand.class})
public final class ReaderCli {

    private static final String LOG_CONFIG = "reader-log4j2.xml";

    public static void main(String[] args) {
        if (System.getProperty("log4j2.configurationFile") == null) {
            System.setProperty("log4j2.configurationFile", LOG_CONFIG);
        }
        System.exit(commandLine().execute(args));
    }

    /** The command line; errors print as one line instead of a stack trace. */
    public static CommandLine commandLine() {
        return CommandLines.withOneLineErrors(new ReaderCli());
    }
}
