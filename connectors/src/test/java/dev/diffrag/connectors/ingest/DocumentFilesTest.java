package dev.diffrag.connectors.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.diffrag.connectors.ingest.DocumentFiles.Listing;
import dev.diffrag.connectors.ingest.DocumentFiles.SourceFile;
import dev.diffrag.connectors.records.DocumentOp;
import dev.diffrag.connectors.records.DocumentRecord;
import dev.diffrag.connectors.records.RecordKeys;
import java.io.IOException;
import java.nio.file.FileSystemLoopException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DocumentFilesTest {
    @TempDir
    Path dir;

    @Test
    void scanFindsSupportedFilesWithRelativeIdsAndListsTheRest() throws IOException {
        Files.createDirectories(dir.resolve("guides/setup"));
        Files.writeString(dir.resolve("readme.md"), "# Readme");
        Files.writeString(dir.resolve("guides/setup/install.TXT"), "steps");
        Files.writeString(dir.resolve("guides/page.htm"), "<p>x</p>");
        Files.write(dir.resolve("logo.png"), new byte[] {1, 2, 3});

        Listing listing = DocumentFiles.scan(dir);

        assertThat(listing.documents()).extracting(SourceFile::docId)
                .containsExactly("guides/page.htm", "guides/setup/install.TXT", "readme.md");
        assertThat(listing.documents()).extracting(SourceFile::format)
                .containsExactly(DocumentFormat.HTML, DocumentFormat.TEXT, DocumentFormat.MARKDOWN);
        assertThat(listing.unsupported()).containsExactly(dir.resolve("logo.png"));
        assertThat(listing.unreadable()).isEmpty();
    }

    @Test
    void linkedFoldersAndFilesAreIngestedAndALinkCycleIsReportedAsUnreadable() throws IOException {
        Path elsewhere = Files.createDirectories(dir.resolve("elsewhere"));
        Files.writeString(elsewhere.resolve("linked.md"), "# Linked");
        Path tree = Files.createDirectories(dir.resolve("tree"));
        Files.writeString(tree.resolve("own.txt"), "own");
        Files.createSymbolicLink(tree.resolve("notes"), elsewhere);
        Files.createSymbolicLink(tree.resolve("alias.md"), elsewhere.resolve("linked.md"));
        Files.createSymbolicLink(tree.resolve("loop"), tree);
        Path linkToTree = Files.createSymbolicLink(dir.resolve("tree-link"), tree);

        Listing listing = DocumentFiles.scan(linkToTree);

        assertThat(listing.documents()).extracting(SourceFile::docId)
                .containsExactly("alias.md", "notes/linked.md", "own.txt");
        assertThat(listing.unreadable()).singleElement()
                .satisfies(e -> assertThat(e).hasCauseInstanceOf(FileSystemLoopException.class));
    }

    @Test
    void aBrokenLinkIsReportedAsUnreadableNotAsAnUnsupportedType() throws IOException {
        Files.createSymbolicLink(dir.resolve("moved.md"), dir.resolve("no-longer-here.md"));

        Listing listing = DocumentFiles.scan(dir);

        // Listed as unsupported, ingest said "skipped moved.md: not a supported type" and exited 0.
        assertThat(listing.unsupported()).isEmpty();
        assertThat(listing.unreadable()).singleElement()
                .satisfies(e -> assertThat(e).hasMessageContaining("moved.md")
                        .hasCauseInstanceOf(NoSuchFileException.class));
    }

    @Test
    void filesWhoseNamesAreNotValidTextAreReportedRatherThanGivenOneId() throws Exception {
        // caf\xE9.txt and caf\xE8.txt, Latin-1 names as copied from an old archive; Java cannot write such names.
        Process shell = new ProcessBuilder("sh", "-c",
                "printf one > \"$(printf 'caf\\351.txt')\"; printf two > \"$(printf 'caf\\350.txt')\"")
                .directory(dir.toFile()).inheritIO().start();
        assertThat(shell.waitFor()).isZero();
        Files.writeString(dir.resolve("cafe.txt"), "three");

        Listing listing = DocumentFiles.scan(dir);

        // Before, both Latin-1 names became the id "caf\uFFFD.txt": ingest sent two documents under one key.
        assertThat(listing.documents()).extracting(SourceFile::docId).containsExactly("cafe.txt");
        assertThat(listing.unreadable()).hasSize(2)
                .allSatisfy(e -> assertThat(e).hasMessageContaining("is not valid text in the file system's encoding"));
    }

    @Test
    void aSingleFileIsIdentifiedByItsName() throws IOException {
        Path file = Files.writeString(dir.resolve("note.txt"), "hello");

        assertThat(DocumentFiles.scan(file).documents()).extracting(SourceFile::docId).containsExactly("note.txt");
    }

    @Test
    void recordIsAnUpsertKeyedByTenantAndDocId() throws IOException {
        Files.createDirectories(dir.resolve("a"));
        Files.writeString(dir.resolve("a/b.md"), "# Title B\n\nBody.");
        SourceFile file = DocumentFiles.scan(dir).documents().get(0);

        DocumentRecord record = DocumentFiles.toRecord("acme", file);

        assertThat(record.key()).isEqualTo("acme/a/b.md");
        assertThat(record.op()).isEqualTo(DocumentOp.UPSERT);
        assertThat(record.title()).isEqualTo("Title B");
        assertThat(record.text()).isEqualTo("# Title B\n\nBody.");
        assertThat(record.metadata()).isEqualTo(Map.of("format", "markdown"));
        assertThat(record.source()).endsWith("b.md");
        assertThat(record.ts()).isPositive();
    }

    @Test
    void aFileWhoseKeyIsOverTheJobsLimitIsRefused() throws IOException {
        // A tree of long names: the document id has 4 * 222 + 9 = 897 characters.
        Path deep = dir;
        for (int i = 0; i < 4; i++) {
            deep = deep.resolve("d".repeat(220) + i);
        }
        Files.createDirectories(deep);
        Files.writeString(deep.resolve("notes.txt"), "Some text.");
        SourceFile file = DocumentFiles.scan(dir).documents().get(0);
        String tenant = "t".repeat(RecordKeys.MAX_CHARS - "/".length() - file.docId().length());

        assertThat(DocumentFiles.toRecord(tenant, file).key()).hasSize(RecordKeys.MAX_CHARS);
        // Before, ingest sent it one character over and exited 0; the job dead-lettered it.
        assertThatThrownBy(() -> DocumentFiles.toRecord(tenant + "t", file))
                .isInstanceOf(UnreadableDocumentException.class)
                .hasMessageEndingWith("notes.txt: the job would refuse it: tenant/id has 1025 characters, over the "
                        + "limit of 1024");
    }
}
