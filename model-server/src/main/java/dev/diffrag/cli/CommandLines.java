package dev.diffrag.cli;

import java.nio.charset.CharacterCodingException;
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

    /**
     * The exception's message, followed by its cause's when it does not already say it ("cannot load the reader 'x'"
     * alone would not say that its config.json is missing).
     */
    public static String describe(Throwable e) {
        if (e instanceof NoSuchFileException missing) {
            return "no such file: " + missing.getFile(); // its own message is the bare path
        }
        if (e instanceof CharacterCodingException) {
            // The tools read UTF-8; a Latin-1 file's "é" fails with no more than "Input length = 1".
            return "not UTF-8 text (" + e.getMessage() + ")";
        }
        String message = e.getMessage() == null ? e.toString() : e.getMessage();
        Throwable cause = e.getCause();
        if (cause == null || cause == e) {
            return message;
        }
        String because = describe(cause);
        return message.contains(because) ? message : message + ": " + because;
    }
}
