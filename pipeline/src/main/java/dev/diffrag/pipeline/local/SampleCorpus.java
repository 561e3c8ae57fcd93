package dev.diffrag.pipeline.local;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * The small corpus bundled under {@code sample-corpus/} (Wikipedia passages, see its ATTRIBUTION.md): documents
 * listed in {@code documents.list}, each file a title line, a blank line and the text; questions one per line.
 */
public final class SampleCorpus {

    private static final String ROOT = "sample-corpus/";

    /** @param id the file name without {@code .txt} */
    public record Document(String id, String title, String text) {}

    private SampleCorpus() {}

    public static List<Document> documents() {
        return lines("documents.list").stream().map(SampleCorpus::document).toList();
    }

    public static List<String> questions() {
        return lines("questions.txt");
    }

    private static Document document(String fileName) {
        String content = read(fileName);
        int blankLine = content.indexOf("\n\n");
        if (blankLine < 0) {
            throw new IllegalStateException(ROOT + fileName + " has no blank line after its title");
        }
        return new Document(
                fileName.replaceFirst("\\.txt$", ""), content.substring(0, blankLine), content.substring(blankLine + 2).strip());
    }

    private static List<String> lines(String fileName) {
        return Arrays.stream(read(fileName).split("\n")).map(String::strip).filter(line -> !line.isEmpty()).toList();
    }

    private static String read(String fileName) {
        try (InputStream in = SampleCorpus.class.getClassLoader().getResourceAsStream(ROOT + fileName)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + ROOT + fileName);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
