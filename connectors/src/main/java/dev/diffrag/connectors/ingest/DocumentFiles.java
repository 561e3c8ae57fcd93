package dev.diffrag.connectors.ingest;

import dev.diffrag.connectors.records.DocumentOp;
import dev.diffrag.connectors.records.DocumentRecord;
import dev.diffrag.connectors.records.RecordKeys;
import java.io.IOException;
import java.nio.file.FileVisitOption;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Finds the files {@code ingest} sends and turns each into one document upsert. */
public final class DocumentFiles {
    /** What Java decodes a file name's invalid bytes to. */
    private static final char UNDECODABLE = '\uFFFD';

    private DocumentFiles() {}

    /** A file to ingest; {@code docId} is its path relative to the ingested directory, with '/' separators. */
    public record SourceFile(Path path, String docId, DocumentFormat format) {}

    /**
     * What a scan found: files to ingest (sorted by document id), files of unsupported types or that are not regular
     * files (devices, pipes), and files or directories that could not be read at all or have no document id.
     */
    public record Listing(List<SourceFile> documents, List<Path> unsupported, List<UnreadableDocumentException> unreadable) {}

    /** Lists {@code path} itself when it is a file (its id is its file name), or every file below it. */
    public static Listing scan(Path path) throws IOException {
        List<SourceFile> documents = new ArrayList<>();
        List<Path> unsupported = new ArrayList<>();
        List<UnreadableDocumentException> unreadable = new ArrayList<>();
        Path root = Files.isDirectory(path) ? path : path.toAbsolutePath().getParent();
        // Links are followed, as a user who links a folder or file into the ingested tree means it; a link cycle is
        // reported as unreadable (FileSystemLoopException) rather than walked forever.
        Files.walkFileTree(path, EnumSet.of(FileVisitOption.FOLLOW_LINKS), Integer.MAX_VALUE, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) {
                if (attributes.isSymbolicLink() && DocumentFormat.of(file).isPresent()) {
                    // Following links, the walk gives a link's own attributes only when its target cannot be read (a
                    // broken link): listed as unsupported, ingest said "not a supported type" and exited 0.
                    unreadable.add(new UnreadableDocumentException(
                            file, "a link whose target cannot be read", unreadableTarget(file)));
                    return FileVisitResult.CONTINUE;
                }
                Optional<DocumentFormat> format = attributes.isRegularFile() ? DocumentFormat.of(file) : Optional.empty();
                if (format.isEmpty()) {
                    unsupported.add(file);
                    return FileVisitResult.CONTINUE;
                }
                String id = docId(root, file);
                if (id.indexOf(UNDECODABLE) >= 0) {
                    // Names that differ only in undecodable bytes (caf\xE9.txt, caf\xE8.txt) would share an id, and
                    // the later document would replace the earlier one.
                    unreadable.add(new UnreadableDocumentException(file, "its path is not valid text in the file "
                            + "system's encoding (" + System.getProperty("sun.jnu.encoding") + "), so it has no "
                            + "document id of its own"));
                } else {
                    documents.add(new SourceFile(file, id, format.get()));
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) {
                unreadable.add(new UnreadableDocumentException(file, "cannot read", e));
                return FileVisitResult.CONTINUE;
            }
        });
        documents.sort(Comparator.comparing(SourceFile::docId));
        unsupported.sort(Comparator.naturalOrder());
        return new Listing(documents, unsupported, unreadable);
    }

    /** Why the target of the link {@code file} cannot be read. */
    private static IOException unreadableTarget(Path file) {
        try {
            Files.readAttributes(file, BasicFileAttributes.class);
            return new IOException("the target is not readable");
        } catch (IOException e) {
            return e;
        }
    }

    /**
     * The upsert of {@code file} for {@code tenant}, stamped now; its source is the file's path.
     *
     * @throws UnreadableDocumentException also when its key is longer than the job takes (a deep tree of long names)
     */
    public static DocumentRecord toRecord(String tenant, SourceFile file) throws UnreadableDocumentException {
        ExtractedDocument extracted = DocumentExtractor.extract(file.path(), file.format());
        DocumentRecord record = new DocumentRecord(tenant, file.docId(), DocumentOp.UPSERT, extracted.title(),
                extracted.text(), file.path().toString(), System.currentTimeMillis(),
                Map.of("format", file.format().label()));
        if (!RecordKeys.fits(record.key())) {
            throw new UnreadableDocumentException(
                    file.path(), "the job would refuse it: " + RecordKeys.overLimit(record.key()));
        }
        return record;
    }

    static String docId(Path root, Path file) {
        Path relative = root.toAbsolutePath().relativize(file.toAbsolutePath());
        List<String> parts = new ArrayList<>();
        relative.forEach(part -> parts.add(part.toString()));
        return String.join("/", parts);
    }
}
