package dev.diffrag.connectors.ingest;

import java.util.Set;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import org.jsoup.nodes.Node;
import org.jsoup.nodes.TextNode;
import org.jsoup.select.NodeTraversor;
import org.jsoup.select.NodeVisitor;

/**
 * The text a reader sees on an HTML page: whitespace collapsed as a browser does (kept as written in
 * {@code <pre>} and the like), a blank line between block elements (so paragraph-aware chunking still sees
 * paragraphs), a line break for {@code <br>}, and nothing from scripts, styles or the head.
 */
final class HtmlText {
    /** Elements whose whitespace a browser keeps: the line breaks of code and of text laid out by hand. */
    private static final Set<String> PREFORMATTED = Set.of("pre", "listing", "plaintext", "textarea", "xmp");

    private HtmlText() {}

    static String visibleText(Document html) {
        Element body = html.body().clone();
        body.select("script, style, noscript, template").remove();
        StringBuilder text = new StringBuilder();
        NodeTraversor.traverse(new NodeVisitor() {
            /** How many preformatted elements enclose the current node. */
            private int preformatted;

            @Override
            public void head(Node node, int depth) {
                if (node instanceof TextNode textNode) {
                    if (preformatted > 0) {
                        text.append(textNode.getWholeText());
                    } else {
                        appendCollapsed(text, textNode.getWholeText());
                    }
                } else if (node instanceof Element element) {
                    if (element.nameIs("br")) {
                        trimTrailingSpace(text);
                        text.append('\n');
                    } else if (separatesParagraphs(element)) {
                        paragraphBreak(text);
                    }
                    if (PREFORMATTED.contains(element.normalName())) {
                        preformatted++;
                    }
                }
            }

            @Override
            public void tail(Node node, int depth) {
                if (node instanceof Element element) {
                    if (PREFORMATTED.contains(element.normalName())) {
                        preformatted--;
                    }
                    if (separatesParagraphs(element)) {
                        paragraphBreak(text);
                    }
                }
            }
        }, body);
        return text.toString().strip();
    }

    /** Block elements start and end a paragraph; {@code <br>} counts as a block in jsoup but only breaks a line. */
    private static boolean separatesParagraphs(Element element) {
        return element.isBlock() && !element.nameIs("br");
    }

    private static void appendCollapsed(StringBuilder text, String raw) {
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (Character.isWhitespace(c) || c == '\u00A0') {
                boolean atLineStart = text.length() == 0 || text.charAt(text.length() - 1) == '\n';
                if (!atLineStart && text.charAt(text.length() - 1) != ' ') {
                    text.append(' ');
                }
            } else {
                text.append(c);
            }
        }
    }

    private static void paragraphBreak(StringBuilder text) {
        trimTrailingSpace(text);
        int length = text.length();
        if (length == 0 || (length >= 2 && text.charAt(length - 1) == '\n' && text.charAt(length - 2) == '\n')) {
            return;
        }
        text.append(text.charAt(length - 1) == '\n' ? "\n" : "\n\n");
    }

    private static void trimTrailingSpace(StringBuilder text) {
        while (text.length() > 0 && text.charAt(text.length() - 1) == ' ') {
            text.setLength(text.length() - 1);
        }
    }
}
