package dev.diffrag.connectors.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.diffrag.connectors.records.AnswerRecord;
import dev.diffrag.connectors.records.Citation;
import dev.diffrag.connectors.records.RetrievedChunk;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import org.junit.jupiter.api.Test;

class AnswerPrinterTest {

    @Test
    void printsTheAnswerWithEveryCitation() {
        AnswerRecord answer = new AnswerRecord("acme", "q1", "Who wrote Frankenstein?", "Mary Shelley", false, 0.8765,
                List.of(new Citation("books/frankenstein.txt", 2, "books/frankenstein.txt#0", 10, 22, "Mary Shelley")),
                List.of(new RetrievedChunk("books/frankenstein.txt#0", 0.03)), "baseline-sentence", 321);

        String printed = print(answer, 400);

        assertThat(printed).contains("Question:   Who wrote Frankenstein?")
                .contains("Answer:     Mary Shelley")
                .contains("Confidence: 0.877")
                .contains("[1] books/frankenstein.txt (version 2, chunk books/frankenstein.txt#0, chars 10-22): \"Mary Shelley\"")
                .contains("Model:      baseline-sentence")
                .contains("Latency:    321 ms in the pipeline, 400 ms round trip");
    }

    @Test
    void anAbstentionSaysTheDocumentsHoldNoAnswer() {
        AnswerRecord answer = new AnswerRecord("acme", "q2", "What is the airspeed of a swallow?", null, true, 0.1,
                List.of(), List.of(), "baseline-sentence", 50);

        assertThat(print(answer, 60)).contains("Answer:     no answer in the documents").contains("Citations:  none");
    }

    @Test
    void anAbstentionForATimeoutOrAnAnswererErrorSaysTheJobCouldNotAnswerAndWhy() {
        // The documents may well hold the answer: the model was slow or down.
        for (String reason : List.of("timeout", "answerer-error: java.net.ConnectException: Connection refused")) {
            AnswerRecord answer = new AnswerRecord("acme", "q3", "Who wrote Frankenstein?", null, true, 0, List.of(),
                    List.of(new RetrievedChunk("acme/frankenstein@2#0", 0.03)), "remote", 60_000, reason);

            assertThat(print(answer, 60_100)).doesNotContain("no answer in the documents")
                    .contains("Answer:     none, the job could not answer (" + reason + ")");
        }
    }

    @Test
    void anAbstentionForNoPassagesSaysTheDocumentsHoldNoAnswer() {
        AnswerRecord answer = new AnswerRecord("acme", "q4", "What is the airspeed of a swallow?", null, true, 0,
                List.of(), List.of(), "diff-v2-bge-top4-reader", 20, "no-passages");

        assertThat(print(answer, 30)).contains("Answer:     no answer in the documents");
    }

    private static String print(AnswerRecord answer, long roundTripMs) {
        StringWriter out = new StringWriter();
        AnswerPrinter.print(answer, roundTripMs, new PrintWriter(out, true));
        return out.toString();
    }
}
