package dev.diffrag.connectors.ingest;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.pdfbox.Loader;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.encryption.InvalidPasswordException;
import org.apache.pdfbox.text.PDFTextStripper;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;

/**
 * Turns a file into a title and plain text. Text files are read as strict UTF-8, and HTML too unless a BOM or
 * {@code <meta charset>} names another encoding; Markdown keeps its source text (so citation offsets point into what
 * the author wrote); HTML becomes its visible text with paragraph breaks; PDF becomes the text PDFBox extracts. The title is the HTML {@code <title>} (or first {@code <h1>}), the first
 * Markdown heading, the PDF's document title, or else the file name without its extension.
 */
public final class DocumentExtractor {

    /**
     * Largest text, Markdown or HTML file read, in bytes: far above what one Kafka record holds (1 MB by default), and
     * small enough to read whole on a default heap (a 3 GB file ended the run with OutOfMemoryError). PDFs are read
     * by PDFBox from the file, not whole.
     */
    public static final long MAX_FILE_BYTES = 64L << 20;

    private DocumentExtractor() {}

    /** @throws UnreadableDocumentException with the reason when the file cannot be read or holds no text */
    public static ExtractedDocument extract(Path file, DocumentFormat format) throws UnreadableDocumentException {
        ExtractedDocument document = switch (format) {
            case TEXT -> new ExtractedDocument(fileTitle(file), readUtf8(file), format);
            case MARKDOWN -> markdown(file);
            case HTML -> html(file);
            case PDF -> pdf(file);
        };
        if (document.text().isBlank()) {
            throw new UnreadableDocumentException(file, "no text in the file");
        }
        return document;
    }

    private static ExtractedDocument markdown(Path file) throws UnreadableDocumentException {
        String text = readUtf8(file);
        return new ExtractedDocument(MarkdownTitle.of(text).orElse(fileTitle(file)), text, DocumentFormat.MARKDOWN);
    }

    private static ExtractedDocument html(Path file) throws UnreadableDocumentException {
        byte[] bytes = readBytes(file);
        Document html;
        try {
            // null charset: jsoup takes it from the BOM or <meta charset>, else UTF-8.
            html = Jsoup.parse(new ByteArrayInputStream(bytes), null, file.toString());
        } catch (IOException e) {
            throw new UnreadableDocumentException(file, "cannot read HTML", e);
        }
        if (html.charset().equals(StandardCharsets.UTF_8)) {
            // jsoup turns invalid bytes into U+FFFD; like a text file, such a page is reported rather than mangled.
            decodeUtf8(file, bytes, "not valid UTF-8, and declares no other charset (<meta charset>)");
        }
        String title = html.title().isBlank() ? null : html.title().trim();
        if (title == null) {
            Element h1 = html.selectFirst("h1");
            title = h1 == null || h1.text().isBlank() ? fileTitle(file) : h1.text().trim();
        }
        return new ExtractedDocument(title, HtmlText.visibleText(html), DocumentFormat.HTML);
    }

    private static ExtractedDocument pdf(Path file) throws UnreadableDocumentException {
        try (PDDocument pdf = Loader.loadPDF(file.toFile())) {
            if (!pdf.getCurrentAccessPermission().canExtractContent()) {
                throw new UnreadableDocumentException(file, "the PDF forbids text extraction");
            }
            String text = new PDFTextStripper().getText(pdf).strip();
            String title = pdf.getDocumentInformation().getTitle();
            return new ExtractedDocument(
                    title == null || title.isBlank() ? fileTitle(file) : title.trim(), text, DocumentFormat.PDF);
        } catch (InvalidPasswordException e) {
            throw new UnreadableDocumentException(file, "the PDF is password-protected", e);
        } catch (UnreadableDocumentException e) {
            throw e;
        } catch (IOException e) {
            throw new UnreadableDocumentException(file, "not a readable PDF", e);
        } catch (StackOverflowError e) {
            // PDFBox parses nested arrays and dictionaries recursively, with no depth limit of its own.
            throw new UnreadableDocumentException(file, "not a readable PDF (objects nested too deeply)");
        }
    }

    private static String readUtf8(Path file) throws UnreadableDocumentException {
        String text = decodeUtf8(file, readBytes(file), "not valid UTF-8 text");
        return text.startsWith("\uFEFF") ? text.substring(1) : text;
    }

    private static byte[] readBytes(Path file) throws UnreadableDocumentException {
        try {
            long size = Files.size(file);
            if (size > MAX_FILE_BYTES) {
                throw new UnreadableDocumentException(file, "the file has " + size + " bytes, over the "
                        + MAX_FILE_BYTES + " (64 MiB) ingest reads");
            }
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UnreadableDocumentException(file, "cannot read the file", e);
        }
    }

    /** @throws UnreadableDocumentException with {@code reason} when {@code bytes} are not valid UTF-8 */
    private static String decodeUtf8(Path file, byte[] bytes, String reason) throws UnreadableDocumentException {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new UnreadableDocumentException(file, reason, e);
        }
    }

    static String fileTitle(Path file) {
        String name = file.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return dot > 0 ? name.substring(0, dot) : name;
    }
}
