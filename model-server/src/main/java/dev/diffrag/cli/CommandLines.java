package dev.diffrag.cli;

import java.nio.file.NoSuchFileException;
import picocli.CommandLine;

/** The command lines of the model-server tools ({@code reader}, {@code summarizer}, {@code needle}). */
public final class CommandLines {

    private CommandLines() {}

    /** A command line for {@code command} whose errors print as one line, {@code error: ...}, and exit 1. */
    public static CommandLine withOneLineErrors(Object command) {
        CommandLine commandLine = new CommandLine(command);
        commandLine.setExecutionExceptionHandler((e, cl, parseResult) -> {
            cl.getErr().println("error: " + describe(e));
            return 1;
        });
        return commandLine;
    }

    static String describe(Exception e) {
        if (e instanceof NoSuchFileException missing) {
            return "no such file: " + missing.getFile(); // its own message is the bare path
        }
        return e.getMessage() == null ? e.toString() : e.getMessage();
    }
}
