package dev.diffrag.pipeline.summarize;

import dev.diffrag.connectors.records.SummaryRecord;
import dev.diffrag.summarize.Summary;
import java.util.ArrayList;
import java.util.List;

/**
 * The candidate sentences of a window's documents laid out as one text, one sentence per line, so that any
 * {@link dev.diffrag.summarize.Summarizer} can choose among them, and the chosen spans mapped back to their documents'
 * own offsets. Every digest sentence is therefore still a verbatim span of the document it cites.
 *
 * <p>Lines end with {@link #LINE_END}, U+2029 PARAGRAPH SEPARATOR: the sentence splitter
 * ({@link java.text.BreakIterator}) always breaks after it, but not at {@code '\n'}, so a candidate without final
 * punctuation would otherwise run into the next line and the summarizer's span could not be cited.
 */
final class DigestText {

    static final char LINE_END = '\u2029';

    /** A candidate sentence of a document and where it lies in the combined text. */
    private record Line(DigestCandidate document, SummaryRecord.Sentence sentence, int offset) {}

    private final String text;
    private final List<Line> lines;

    DigestText(List<DigestCandidate> documents) {
        StringBuilder text = new StringBuilder();
        List<Line> lines = new ArrayList<>();
        for (DigestCandidate document : documents) {
            for (SummaryRecord.Sentence sentence : document.sentences()) {
                if (!text.isEmpty()) {
                    text.append(LINE_END);
                }
                lines.add(new Line(document, sentence, text.length()));
                text.append(sentence.text());
            }
        }
        this.text = text.toString();
        this.lines = List.copyOf(lines);
    }

    String text() {
        return text;
    }

    /** A chosen span of {@link #text()} as a sentence of the document it came from, with that document's offsets. */
    SummaryRecord.Sentence cite(Summary.Sentence chosen) {
        for (Line line : lines) {
            int lineEnd = line.offset() + line.sentence().text().length();
            if (chosen.start() >= line.offset() && chosen.end() <= lineEnd) {
                int start = line.sentence().start() + (chosen.start() - line.offset());
                return new SummaryRecord.Sentence(chosen.text(), start, start + chosen.text().length(),
                        line.document().docId(), line.document().version());
            }
        }
        throw new IllegalArgumentException("span [" + chosen.start() + ", " + chosen.end()
                + ") crosses a line of the digest text");
    }
}
