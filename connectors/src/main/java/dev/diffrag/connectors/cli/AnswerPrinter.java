package dev.diffrag.connectors.cli;

import dev.diffrag.connectors.records.AnswerRecord;
import dev.diffrag.connectors.records.Citation;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** How {@code ask} shows an answer to a person. */
final class AnswerPrinter {
    static final String ABSTAINED = "no answer in the documents";
    /**
     * The abstention reasons that are about the documents: the answerer judged the passages to hold no answer, or
     * retrieval found none. A timeout or an answerer error says nothing about them (a model server that is down made
     * every answer "no answer in the documents").
     */
    private static final Set<String> ABOUT_THE_DOCUMENTS = Set.of("low-confidence", "no-passages");

    private AnswerPrinter() {}

    static void print(AnswerRecord answer, long roundTripMs, PrintWriter out) {
        out.println("Question:   " + answer.question());
        out.println("Answer:     " + answerText(answer));
        out.printf(Locale.ROOT, "Confidence: %.3f%n", answer.confidence());
        List<Citation> citations = answer.citations() == null ? List.of() : answer.citations();
        if (citations.isEmpty()) {
            out.println("Citations:  none");
        } else {
            out.println("Citations:");
            for (int i = 0; i < citations.size(); i++) {
                Citation c = citations.get(i);
                out.printf(Locale.ROOT, "  [%d] %s (version %d, chunk %s, chars %d-%d): \"%s\"%n",
                        i + 1, c.docId(), c.docVersion(), c.chunkId(), c.start(), c.end(), c.text());
            }
        }
        out.printf(Locale.ROOT, "Model:      %s%n", answer.model());
        out.printf(Locale.ROOT, "Latency:    %d ms in the pipeline, %d ms round trip%n", answer.latencyMs(), roundTripMs);
    }

    private static String answerText(AnswerRecord answer) {
        if (!answer.abstained() && answer.answer() != null) {
            return answer.answer();
        }
        return answer.reason() == null || ABOUT_THE_DOCUMENTS.contains(answer.reason())
                ? ABSTAINED
                : "none, the job could not answer (" + answer.reason() + ")";
    }
}
