package dev.diffrag.summarize;

import java.util.List;

/** The chosen sentences of one document, in document order. */
public record Summary(String id, List<Sentence> sentences) {

    /** {@code start}/{@code end}: character offsets into the document, so {@code text == document.substring(start, end)}. */
    public record Sentence(String text, int start, int end) {}
}
