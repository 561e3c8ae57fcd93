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

    /**
     * Elements a browser lays out as blocks, so each starts and ends a paragraph. Listed rather than jsoup's
     * {@code isBlock()}, which also counts {@code <ins>}, {@code <del>} and {@code <button>}: words that a sentence
     * marks up as inserted or deleted would each become a paragraph.
     */
    private static final Set<String> BLOCKS = Set.of(
            "address", "article", "aside", "blockquote", "caption", "center", "dd", "details", "dialog", "dir", "div",
            "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6",
            "header", "hgroup", "hr", "legend", "li", "listing", "main", "menu", "nav", "ol", "p", "plaintext", "pre",
            "section", "summary", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul", "xmp");

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
                    } else if (BLOCKS.contains(element.normalName())) {
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
                    if (BLOCKS.contains(element.normalName())) {
                        paragraphBreak(text);
                    }
                }
            }
        }, body);
        return text.toString().strip();
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
