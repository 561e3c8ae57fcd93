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
    /** The opening of an ATX heading: up to three spaces, 1-6 '#', a space or tab (see {@link #atxHeading}). */
    private static final Pattern ATX_OPENING = Pattern.compile("^ {0,3}#{1,6}[ \\t]");
    private static final Pattern SETEXT_UNDERLINE = Pattern.compile("^ {0,3}(=+|-+)[ \\t]*$");
    private static final Pattern CODE_FENCE = Pattern.compile("^ {0,3}(```|~~~)");
    /**
     * Lines that start a block other than a paragraph: list items and block quotes (thematic breaks are the third
     * kind, see {@link #isThematicBreak}), so that what follows them is never their heading underline.
     */
    private static final Pattern OTHER_BLOCK = Pattern.compile("^ {0,3}([-+*]|\\d{1,9}[.)])([ \\t]|$)|^ {0,3}>");
    /**
     * The marks of a thematic break ({@code ***}, or {@code ---} after a blank line) once its spaces and tabs are
     * removed. Not a repeated group such as {@code ([ \t]*-){2,}}: Java's regex engine recurses once per repetition,
     * and a break of 5,000 dashes overflowed the stack.
     */
    private static final Pattern THEMATIC_BREAK_MARKS = Pattern.compile("-{3,}|\\*{3,}|_{3,}");
    private static final Pattern BLANKS = Pattern.compile("[ \\t]");
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
                String heading = atxHeading(line);
                if (heading != null) {
                    return Optional.of(heading);
                }
                if (!paragraph.isEmpty() && SETEXT_UNDERLINE.matcher(line).matches()) {
                    return Optional.of(String.join(" ", paragraph));
                }
                boolean startsNoParagraph = paragraph.isEmpty() && INDENTED_CODE.matcher(line).find();
                if (line.isBlank() || startsNoParagraph || OTHER_BLOCK.matcher(line).find() || isThematicBreak(line)) {
                    paragraph.clear();
                } else {
                    paragraph.add(line.strip());
                }
            }
        }
        return Optional.empty();
    }

    /**
     * The text of an ATX heading line ({@code ## Title ##}) without its optional closing '#'s, or null when the line is
     * no such heading or its text is empty. Not one regex: {@code [ \t]+(.+?)(?:[ \t]+#+)?[ \t]*$} backtracked
     * quadratically over a run of blanks (40,000 spaces in a heading took 25 s).
     */
    private static String atxHeading(String line) {
        Matcher opening = ATX_OPENING.matcher(line);
        if (!opening.lookingAt()) {
            return null;
        }
        String text = line.substring(opening.end()).strip();
        int closing = text.length();
        while (closing > 0 && text.charAt(closing - 1) == '#') {
            closing--;
        }
        // A closing sequence is only one after a blank: "C#" keeps its '#'.
        if (closing == 0 || text.charAt(closing - 1) == ' ' || text.charAt(closing - 1) == '\t') {
            text = text.substring(0, closing).strip();
        }
        return text.isEmpty() ? null : text;
    }

    /** Up to three spaces, then three or more of one of '-', '*' or '_', with spaces or tabs between them. */
    private static boolean isThematicBreak(String line) {
        int indent = 0;
        while (indent < line.length() && line.charAt(indent) == ' ') {
            indent++;
        }
        return indent <= 3 && indent < line.length() && "-*_".indexOf(line.charAt(indent)) >= 0
                && THEMATIC_BREAK_MARKS.matcher(BLANKS.matcher(line.substring(indent)).replaceAll("")).matches();
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
