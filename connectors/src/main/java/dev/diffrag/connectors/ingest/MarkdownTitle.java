package dev.diffrag.connectors.ingest;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The first heading of a Markdown text, outside code blocks and front matter: an ATX heading ({@code # Title}) or a
 * setext one (a paragraph underlined with {@code ===} or {@code ---}), as CommonMark reads them.
 */
final class MarkdownTitle {
    /** An ATX heading: up to three spaces, 1-6 '#', a space, the text, optional closing '#'s. */
    private static final Pattern ATX_HEADING = Pattern.compile("^ {0,3}#{1,6}[ \\t]+(.+?)(?:[ \\t]+#+)?[ \\t]*$");
    private static final Pattern SETEXT_UNDERLINE = Pattern.compile("^ {0,3}(=+|-+)[ \\t]*$");
    private static final Pattern CODE_FENCE = Pattern.compile("^ {0,3}(```|~~~)");
    /**
     * Lines that start a block other than a paragraph: list items, block quotes and thematic breaks ({@code ***},
     * or {@code ---} after a blank line), so that what follows them is never their heading underline.
     */
    private static final Pattern OTHER_BLOCK =
            Pattern.compile("^ {0,3}([-+*]|\\d{1,9}[.)])([ \\t]|$)|^ {0,3}>|^ {0,3}([-*_])([ \\t]*\\3){2,}[ \\t]*$");
    /** An indented code line; it cannot start a paragraph, though it can continue one. */
    private static final Pattern INDENTED_CODE = Pattern.compile("^( {4}|\\t)");
    private static final String FRONT_MATTER_FENCE = "---";

    private MarkdownTitle() {}

    static Optional<String> of(String markdown) {
        String[] lines = markdown.split("\\R");
        boolean inCodeBlock = false;
        List<String> paragraph = new ArrayList<>();
        for (int i = frontMatterLines(lines); i < lines.length; i++) {
            String line = lines[i];
            if (CODE_FENCE.matcher(line).find()) {
                inCodeBlock = !inCodeBlock;
                paragraph.clear();
            } else if (!inCodeBlock) {
                Matcher atx = ATX_HEADING.matcher(line);
                if (atx.matches()) {
                    return Optional.of(atx.group(1).trim());
                }
                if (!paragraph.isEmpty() && SETEXT_UNDERLINE.matcher(line).matches()) {
                    return Optional.of(String.join(" ", paragraph));
                }
                boolean startsNoParagraph = paragraph.isEmpty() && INDENTED_CODE.matcher(line).find();
                if (line.isBlank() || startsNoParagraph || OTHER_BLOCK.matcher(line).find()) {
                    paragraph.clear();
                } else {
                    paragraph.add(line.strip());
                }
            }
        }
        return Optional.empty();
    }

    /**
     * How many lines a YAML front matter block takes at the start ({@code ---} to {@code ---} or {@code ...}), 0
     * without one: its last {@code ---} would otherwise underline its last key as a heading.
     */
    private static int frontMatterLines(String[] lines) {
        if (lines.length == 0 || !lines[0].stripTrailing().equals(FRONT_MATTER_FENCE)) {
            return 0;
        }
        for (int i = 1; i < lines.length; i++) {
            String line = lines[i].stripTrailing();
            if (line.equals(FRONT_MATTER_FENCE) || line.equals("...")) {
                return i + 1;
            }
        }
        return 0;
    }
}
