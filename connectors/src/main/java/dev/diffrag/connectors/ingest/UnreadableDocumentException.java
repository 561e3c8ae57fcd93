package dev.diffrag.connectors.ingest;

import java.io.IOException;
import java.nio.file.Path;

/** A file that cannot become a document, with the reason in words. */
public final class UnreadableDocumentException extends IOException {
    private static final long serialVersionUID = 1L;

    public UnreadableDocumentException(Path file, String reason) {
        super(file + ": " + reason);
    }

    public UnreadableDocumentException(Path file, String reason, Throwable cause) {
        super(file + ": " + reason + (cause.getMessage() == null ? "" : " (" + cause.getMessage() + ")"), cause);
    }
}
