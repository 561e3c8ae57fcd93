package dev.diffrag.pipeline.summarize;

import dev.diffrag.connectors.records.SummaryRecord;
import dev.diffrag.summarize.Summary;
import java.util.ArrayList;
import java.util.List;

/**
 * Candidate sentences of a window's documents laid out as one text, one sentence per line, so that any
 * {@link dev.diffrag.summarize.Summarizer} can choose among them, and the chosen spans mapped back to their documents'
 * own offsets. Every digest sentence is therefore still a verbatim span of the document it cites.
 *
 * <p>Lines end with {@link #LINE_END}, U+2029 PARAGRAPH SEPARATOR: the sentence splitter
 * ({@link java.text.BreakIterator}) always breaks after it, but not at {@code '\n'}, so a candidate without final
 * punctuation would otherwise run into the next line and the summarizer's span could not be cited.
 */
final class DigestText {

    static final char LINE_END = '\u2029';

    /** A candidate sentence and where it lies in the combined text. */
    private record Line(SummaryRecord.Sentence sentence, int offset) {}

    private final String text;
    private final List<Line> lines;

    /** @param candidates sentences with their document's offsets, id and version, one line each in this order */
    DigestText(List<SummaryRecord.Sentence> candidates) {
        StringBuilder text = new StringBuilder();
        List<Line> lines = new ArrayList<>();
        for (SummaryRecord.Sentence sentence : candidates) {
            if (!text.isEmpty()) {
                text.append(LINE_END);
            }
            lines.add(new Line(sentence, text.length()));
            text.append(sentence.text());
        }
        this.text = text.toString();
        this.lines = List.copyOf(lines);
    }

    /** The summary sentences of {@code documents}, in order, each naming its document and version. */
    static List<SummaryRecord.Sentence> candidates(List<DigestCandidate> documents) {
        List<SummaryRecord.Sentence> candidates = new ArrayList<>();
        for (DigestCandidate document : documents) {
            for (SummaryRecord.Sentence sentence : document.sentences()) {
                candidates.add(new SummaryRecord.Sentence(sentence.text(), sentence.start(), sentence.end(),
                        document.docId(), document.version()));
            }
        }
        return candidates;
    }

    String text() {
        return text;
    }

    /**
     * A chosen span of {@link #text()} as a sentence of the document it came from, with that document's offsets.
     *
     * @throws IllegalArgumentException when the span crosses a line, or its text is not {@link #text()} at its offsets
     */
    SummaryRecord.Sentence cite(Summary.Sentence chosen) {
        if (chosen.start() < 0 || chosen.end() > text.length() || chosen.start() > chosen.end()
                || !text.substring(chosen.start(), chosen.end()).equals(chosen.text())) {
            // a model server's reply, quoting other text than it points at: the citation would not be the document's
            throw new IllegalArgumentException("span [" + chosen.start() + ", " + chosen.end()
                    + ") is not the digest text '" + chosen.text() + "'");
        }
        for (Line line : lines) {
            int lineEnd = line.offset() + line.sentence().text().length();
            if (chosen.start() >= line.offset() && chosen.end() <= lineEnd) {
                int start = line.sentence().start() + (chosen.start() - line.offset());
                return new SummaryRecord.Sentence(chosen.text(), start, start + chosen.text().length(),
                        line.sentence().docId(), line.sentence().docVersion());
            }
        }
        throw new IllegalArgumentException("span [" + chosen.start() + ", " + chosen.end()
                + ") crosses a line of the digest text");
    }
}
