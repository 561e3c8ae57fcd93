package dev.diffrag.connectors.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DocumentExtractorTest {
    @TempDir
    Path dir;

    @Test
    void plainTextIsKeptVerbatimAndTitledByFileName() throws IOException {
        Path file = write("notes.txt", "\uFEFFFirst line.\n\nSecond paragraph.");

        ExtractedDocument document = DocumentExtractor.extract(file, DocumentFormat.TEXT);

        assertThat(document.title()).isEqualTo("notes");
        assertThat(document.text()).isEqualTo("First line.\n\nSecond paragraph.");
    }

    @Test
    void markdownIsTitledByItsFirstHeadingOutsideCodeBlocks() throws IOException {
        String markdown = """
                Some intro without a heading.

                ```bash
                # not a heading, a shell comment
                ```

                ## Installing the tool ##

                # Later heading
                """;
        Path file = write("guide.md", markdown);

        ExtractedDocument document = DocumentExtractor.extract(file, DocumentFormat.MARKDOWN);

        assertThat(document.title()).isEqualTo("Installing the tool");
        assertThat(document.text()).isEqualTo(markdown);
    }

    @Test
    void markdownIsTitledByASetextHeading() throws IOException {
        // Before, neither was a heading: the files were titled by their names.
        assertThat(markdownTitle("Release Notes\n=============\n\nBody.\n")).isEqualTo("Release Notes");
        // Front matter and a thematic break (--- after a blank line) are not headings; a paragraph's lines are joined.
        assertThat(markdownTitle("---\ntitle: front matter\n---\n\nIntro.\n\n---\n\nWhat\nchanged\n---\n"))
                .isEqualTo("What changed");
    }

    @Test
    void aThematicBreakEndsAParagraphAndIsNeverUnderlinedItself() throws IOException {
        for (String rule : List.of("***", "___", " * * *", "_ _ _")) {
            // CommonMark: a thematic break interrupts a paragraph, so "Intro." is not part of the heading below it
            assertThat(markdownTitle("Intro.\n" + rule + "\nReal title\n==========\n")).as(rule)
                    .isEqualTo("Real title");
            // and "===" under a break is a paragraph of its own, not the break as a heading
            assertThat(markdownTitle(rule + "\n===\n\n# Real title\n")).as(rule).isEqualTo("Real title");
        }
    }

    @Test
    void frontMatterMayEndWithTheYamlDocumentEndAndAnUnclosedOneIsNone() throws IOException {
        assertThat(markdownTitle("---\ntitle: front matter\n...\nSummary\n---\n\nBody.\n")).isEqualTo("Summary");
        assertThat(markdownTitle("---\n# Heading\n")).isEqualTo("Heading");
    }

    @Test
    void codeIsNeverUnderlinedIntoAHeading() throws IOException {
        // an indented line cannot start a paragraph, and a fenced block ends the paragraph before it
        assertThat(markdownTitle("    indented code\n===\n\n# Real title\n")).isEqualTo("Real title");
        assertThat(markdownTitle("Intro\n```\ncode\n```\n===\n\n# Real title\n")).isEqualTo("Real title");
    }

    @Test
    void aHashRightAfterAWordIsPartOfTheHeading() throws IOException {
        assertThat(markdownTitle("# About C#\n")).isEqualTo("About C#");
        assertThat(markdownTitle("# About C# ##\n")).isEqualTo("About C#");
    }

    @Test
    void aLongThematicBreakIsNoHeadingAndDoesNotOverflowTheStack() throws IOException {
        // A thematic break of 5,000 dashes threw StackOverflowError, which ended the whole ingest run.
        for (String mark : List.of("-", "*", "_")) {
            Path file = write("rule.md", "Intro.\n\n" + mark.repeat(5_000) + "\n\n# After the rule\n");

            assertThat(DocumentExtractor.extract(file, DocumentFormat.MARKDOWN).title()).isEqualTo("After the rule");
        }
    }

    @Test
    void aHeadingWithALongRunOfSpacesIsReadWhole() throws IOException {
        // The heading regex backtracked quadratically over a run of blanks: 40,000 spaces took 25 s, 1 MB hours. The
        // heading is now read without a regex over its text; its speed is not asserted (no timed unit tests).
        Path file = write("padded.md", "# Title" + " ".repeat(50_000) + "end ##\n\nBody.\n");

        String title = DocumentExtractor.extract(file, DocumentFormat.MARKDOWN).title();

        assertThat(title).startsWith("Title ").endsWith(" end").hasSize("Title".length() + 50_000 + "end".length());
    }

    @Test
    void aFileTooLargeToReadIsReportedNotAFatalError() throws IOException {
        // A 3 GB text file (sparse here) ended the whole ingest run with OutOfMemoryError from Files.readAllBytes.
        for (DocumentFormat format : new DocumentFormat[] {DocumentFormat.TEXT, DocumentFormat.MARKDOWN,
                DocumentFormat.HTML}) {
            Path file = dir.resolve("huge-" + format);
            try (RandomAccessFile huge = new RandomAccessFile(file.toFile(), "rw")) {
                huge.setLength(3L << 30);
            }

            assertThatThrownBy(() -> DocumentExtractor.extract(file, format))
                    .isInstanceOf(UnreadableDocumentException.class)
                    .hasMessageContaining("3221225472 bytes, over the 67108864");
        }
    }

    @Test
    void markdownWithoutHeadingFallsBackToTheFileName() throws IOException {
        assertThat(DocumentExtractor.extract(write("plain.md", "just text"), DocumentFormat.MARKDOWN).title())
                .isEqualTo("plain");
    }

    @Test
    void htmlBecomesVisibleTextWithParagraphsAndItsTitle() throws IOException {
        Path file = write("page.html", """
                <html><head><title> The Page </title><style>p { color: red }</style></head>
                <body>
                  <h1>Heading</h1>
                  <p>First   paragraph
                     with <b>bold</b> words.</p>
                  <script>var hidden = 1;</script>
                  <ul><li>one</li><li>two</li></ul>
                  <p>Line<br>break</p>
                </body></html>""");

        ExtractedDocument document = DocumentExtractor.extract(file, DocumentFormat.HTML);

        assertThat(document.title()).isEqualTo("The Page");
        assertThat(document.text()).isEqualTo("Heading\n\nFirst paragraph with bold words.\n\none\n\ntwo\n\nLine\nbreak");
    }

    @Test
    void htmlPreformattedTextKeepsItsLineBreaksAndIndentation() throws IOException {
        Path file = write("build.html", "<p>Run:</p><pre>make build\n  make   test</pre><p>Then   deploy.</p>");

        // Before, the commands ran together as "make build make test".
        assertThat(DocumentExtractor.extract(file, DocumentFormat.HTML).text())
                .isEqualTo("Run:\n\nmake build\n  make   test\n\nThen deploy.");
    }

    @Test
    void htmlInsertedAndDeletedWordsStayInTheirSentence() throws IOException {
        Path file = write("price.html", "<p>The price is <del>ten</del> <ins>eight</ins> dollars.</p><p>Next.</p>");

        // Before, jsoup's isBlock() made <del> and <ins> blocks: "The price is\n\nten\n\neight\n\ndollars."
        assertThat(DocumentExtractor.extract(file, DocumentFormat.HTML).text())
                .isEqualTo("The price is ten eight dollars.\n\nNext.");
    }

    @Test
    void htmlWithoutTitleIsTitledByItsFirstH1() throws IOException {
        Path file = write("untitled.html", "<body><h1>Main topic</h1><p>text</p></body>");

        assertThat(DocumentExtractor.extract(file, DocumentFormat.HTML).title()).isEqualTo("Main topic");
    }

    @Test
    void htmlThatIsNotUtf8IsReportedUnlessItDeclaresItsCharset() throws IOException {
        Path undeclared = dir.resolve("undeclared.html");
        Files.write(undeclared, "<p>caf\u00e9 cr\u00e8me</p>".getBytes(StandardCharsets.ISO_8859_1));
        Path declared = dir.resolve("declared.html");
        Files.write(declared,
                "<meta charset=\"iso-8859-1\"><p>caf\u00e9 cr\u00e8me</p>".getBytes(StandardCharsets.ISO_8859_1));

        // Before, the undeclared page was read as "caf\uFFFD cr\uFFFDme" and sent, while a .txt of the same bytes was
        // reported.
        assertThatThrownBy(() -> DocumentExtractor.extract(undeclared, DocumentFormat.HTML))
                .isInstanceOf(UnreadableDocumentException.class)
                .hasMessageContaining("undeclared.html")
                .hasMessageContaining("not valid UTF-8");
        assertThat(DocumentExtractor.extract(declared, DocumentFormat.HTML).text()).isEqualTo("caf\u00e9 cr\u00e8me");
    }

    @Test
    void pdfTextAndTitleAreExtracted() throws IOException {
        Path file = dir.resolve("report.pdf");
        TestPdfs.write(file, "Quarterly Report", List.of("Revenue grew by 12 percent.", "Costs stayed flat."));

        ExtractedDocument document = DocumentExtractor.extract(file, DocumentFormat.PDF);

        assertThat(document.title()).isEqualTo("Quarterly Report");
        assertThat(document.text()).contains("Revenue grew by 12 percent.").contains("Costs stayed flat.");
    }

    @Test
    void pdfWithoutTitleIsTitledByFileName() throws IOException {
        Path file = dir.resolve("scan.pdf");
        TestPdfs.write(file, null, List.of("Some words."));

        assertThat(DocumentExtractor.extract(file, DocumentFormat.PDF).title()).isEqualTo("scan");
    }

    @Test
    void unreadableFilesAreReportedWithTheReason() throws IOException {
        Path latin1 = dir.resolve("latin1.txt");
        Files.write(latin1, "caf\u00e9".getBytes(StandardCharsets.ISO_8859_1));
        Path corruptPdf = write("broken.pdf", "this is not a PDF");
        Path empty = write("empty.md", "  \n\n ");

        assertThatThrownBy(() -> DocumentExtractor.extract(latin1, DocumentFormat.TEXT))
                .isInstanceOf(UnreadableDocumentException.class)
                .hasMessageContaining("latin1.txt")
                .hasMessageContaining("not valid UTF-8");
        assertThatThrownBy(() -> DocumentExtractor.extract(corruptPdf, DocumentFormat.PDF))
                .hasMessageContaining("broken.pdf")
                .hasMessageContaining("not a readable PDF");
        assertThatThrownBy(() -> DocumentExtractor.extract(empty, DocumentFormat.MARKDOWN))
                .hasMessageContaining("no text");
        assertThatThrownBy(() -> DocumentExtractor.extract(dir.resolve("missing.txt"), DocumentFormat.TEXT))
                .hasMessageContaining("cannot read the file");
    }

    @Test
    void aPdfNestedTooDeeplyForThePdfParserIsReportedAsUnreadable() throws IOException {
        // PDFBox parses nested arrays recursively: 100,000 of them threw StackOverflowError, which is no
        // UnreadableDocumentException and ended the whole ingest run instead of being reported.
        Path nested = write("nested.pdf", "%PDF-1.4\n1 0 obj\n<< /Type /Catalog /X " + "[".repeat(100_000)
                + " >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n");

        assertThatThrownBy(() -> DocumentExtractor.extract(nested, DocumentFormat.PDF))
                .isInstanceOf(UnreadableDocumentException.class)
                .hasMessageContaining("nested.pdf")
                .hasMessageContaining("not a readable PDF");
    }

    /** The title of a Markdown file holding {@code text}. */
    private String markdownTitle(String text) throws IOException {
        return DocumentExtractor.extract(write("doc.md", text), DocumentFormat.MARKDOWN).title();
    }

    private Path write(String name, String text) throws IOException {
        return Files.writeString(dir.resolve(name), text, StandardCharsets.UTF_8);
    }
}
