package dev.diffrag.connectors.ingest;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** The file formats {@code ingest} reads, recognised by file extension. */
public enum DocumentFormat {
    TEXT("text", List.of("txt", "text")),
    MARKDOWN("markdown", List.of("md", "markdown")),
    HTML("html", List.of("html", "htm")),
    PDF("pdf", List.of("pdf"));

    private final String label;
    private final List<String> extensions;

    DocumentFormat(String label, List<String> extensions) {
        this.label = label;
        this.extensions = extensions;
    }

    public static Optional<DocumentFormat> of(Path file) {
        String extension = extension(file);
        return Arrays.stream(values()).filter(f -> f.extensions.contains(extension)).findFirst();
    }

    /** The lower-case name used in a document's metadata ({@code format}). */
    public String label() {
        return label;
    }

    /** Every recognised extension, for messages about files that are not. */
    public static List<String> allExtensions() {
        return Arrays.stream(values()).flatMap(f -> f.extensions.stream()).toList();
    }

    static String extension(Path file) {
        String name = file.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return dot < 0 ? "" : name.substring(dot + 1).toLowerCase(Locale.ROOT);
    }
}
