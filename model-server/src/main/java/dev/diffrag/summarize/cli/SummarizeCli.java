package dev.diffrag.summarize.cli;

import dev.diffrag.cli.CommandLines;
import picocli.CommandLine.Command;

/** {@code crossval}, {@code train}, {@code eval} and {@code summarize}: the summarizer's commands, none of which needs Kafka. */
@Command(name = "summarizer", mixinStandardHelpOptions = true,
        subcommands = {CrossValidateCommand.class, TrainCommand.class, EvalCommand.class, SummarizeCommand.class},
        description = "Train, evaluate and run the extractive sentence-salience summarizer.")
public final class SummarizeCli {

    public static void main(String[] args) {
        System.exit(CommandLines.withOneLineErrors(new SummarizeCli()).execute(args));
    }
}
