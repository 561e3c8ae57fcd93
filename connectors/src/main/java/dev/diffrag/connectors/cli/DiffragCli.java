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
    /** Most causes an error message quotes. */
    private static final int MAX_CAUSES = 8;

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
            cl.getErr().println("error: " + describe(e));
            return 1;
        });
        return commandLine;
    }

    /**
     * The message of {@code e} followed by each cause's that adds to it: Kafka's "Failed to construct kafka producer"
     * gives the reason (a bootstrap server without a port, a SASL setting without its login) only in its cause.
     */
    static String describe(Throwable e) {
        StringBuilder message = new StringBuilder(e.getMessage() == null ? e.toString() : e.getMessage());
        // Bounded: a cause chain can loop.
        Throwable cause = e.getCause();
        for (int depth = 0; cause != null && depth < MAX_CAUSES; depth++, cause = cause.getCause()) {
            if (cause.getMessage() != null && message.indexOf(cause.getMessage()) < 0) {
                message.append(": ").append(cause.getMessage());
            }
        }
        return message.toString();
    }
}
