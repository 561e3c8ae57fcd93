package dev.diffrag.connectors.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code diffrag}: send documents and questions to the pipeline's topics and read what comes back. */
@Command(name = "diffrag", mixinStandardHelpOptions = true, version = "diffrag connectors 0.1.0",
        description = "Streaming RAG over Kafka: ingest and delete documents, ask questions, watch topics.",
        subcommands = {IngestCommand.class, DeleteCommand.class, AskCommand.class, TailCommand.class, CreateTopicsCommand.class})
public final class DiffragCli {
    /** Used when no other log4j2 configuration is given: warnings of our code only, Kafka's chatter off. */
    private static final String LOG_CONFIG = "diffrag-cli-log4j2.xml";

    public static void main(String[] args) {
        if (System.getProperty("log4j2.configurationFile") == null) {
            System.setProperty("log4j2.configurationFile", LOG_CONFIG);
        }
        System.exit(commandLine().execute(args));
    }

    /** The command line with its subcommands; errors are printed as one line instead of a stack trace. */
    public static CommandLine commandLine() {
        CommandLine commandLine = new CommandLine(new DiffragCli());
        commandLine.setExecutionExceptionHandler((e, cl, parseResult) -> {
            cl.getErr().println("error: " + (e.getMessage() == null ? e.toString() : e.getMessage()));
            return 1;
        });
        return commandLine;
    }
}
