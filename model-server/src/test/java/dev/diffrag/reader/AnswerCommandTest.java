package dev.diffrag.reader;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.diffrag.answer.AnswerRequest;
import dev.diffrag.answer.Answerer;
import dev.diffrag.answer.GroundedAnswer;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class AnswerCommandTest {

    /** Quotes the first word of the first context when the question ends with "?", else abstains. */
    private static final class FirstWord implements Answerer {
        final List<Integer> batchSizes = new ArrayList<>();

        @Override
        public String name() {
            return "first-word";
        }

        @Override
        public List<GroundedAnswer> answer(List<AnswerRequest> batch) {
            batchSizes.add(batch.size());
            return batch.stream().map(r -> r.question().endsWith("?")
                    ? GroundedAnswer.span(r.contexts().get(0), 0, r.contexts().get(0).text().indexOf(' '), 0.75)
                    : GroundedAnswer.abstain(0.1)).toList();
        }
    }

    @Test
    void jsonlRoundTripKeepsOrderIdsAndCitations() throws Exception {
        String input = """
                {"id": "q1", "question": "Who?", "contexts": [{"id": "c9", "text": "Ada Lovelace wrote it."}]}

                {"id": "2", "question": "no question mark", "contexts": [{"id": "c1", "text": "Nothing here."}]}
                """;
        StringWriter out = new StringWriter();
        FirstWord answerer = new FirstWord();
        AnswerCommand.run(answerer, new StringReader(input), out);
        List<String> lines = out.toString().lines().toList();
        assertThat(lines).hasSize(2);
        ObjectMapper json = new ObjectMapper();
        JsonNode first = json.readTree(lines.get(0));
        assertThat(first.get("id").asText()).isEqualTo("q1");
        assertThat(first.get("answer").asText()).isEqualTo("Ada");
        assertThat(first.get("abstained").asBoolean()).isFalse();
        assertThat(first.get("confidence").asDouble()).isEqualTo(0.75);
        assertThat(first.get("citation").get("contextId").asText()).isEqualTo("c9");
        assertThat(first.get("citation").get("start").asInt()).isZero();
        assertThat(first.get("citation").get("end").asInt()).isEqualTo(3);
        JsonNode second = json.readTree(lines.get(1));
        assertThat(second.get("id").asText()).isEqualTo("2");
        assertThat(second.get("answer").isNull()).isTrue();
        assertThat(second.get("abstained").asBoolean()).isTrue();
        assertThat(second.get("citation").isNull()).isTrue();
        assertThat(answerer.batchSizes).containsExactly(2); // one batched call
    }

    @Test
    void idsAndQuotesWithAnUnpairedSurrogateSurviveTheUtf8Output() throws Exception {
        // JSON strings may hold an unpaired surrogate (as an escape); UTF-8, which the command writes, cannot.
        String input = """
                {"id": "q\\ud800", "question": "Who?", "contexts": [{"id": "c\\udc00", "text": "Ada\\udc00 x"}]}
                {"id": "q\\udc00", "question": "Who?", "contexts": [{"id": "c", "text": "Bo b."}]}
                """;
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (Writer out = new OutputStreamWriter(bytes, StandardCharsets.UTF_8)) { // as call() writes
            AnswerCommand.run(new FirstWord(), new StringReader(input), out);
        }
        ObjectMapper json = new ObjectMapper();
        List<JsonNode> lines = bytes.toString(StandardCharsets.UTF_8).lines().map(line -> {
            try {
                return json.readTree(line);
            } catch (Exception e) {
                throw new AssertionError(line, e);
            }
        }).toList();
        assertThat(lines).extracting(l -> l.get("id").asText()).containsExactly("q\ud800", "q\udc00");
        assertThat(lines.get(0).get("answer").asText()).isEqualTo("Ada\udc00");
        assertThat(lines.get(0).get("citation").get("contextId").asText()).isEqualTo("c\udc00");
    }

    @Test
    void thresholdOptionAppliesToTheShippedReader() throws Exception {
        AnswerCommand command = new AnswerCommand();
        new CommandLine(command).parseArgs("--threshold", "0.987");
        try (DiffReaderAnswerer answerer = command.answerer()) {
            assertThat(answerer.name()).isEqualTo(DiffReaderAnswerer.DEFAULT + "-reader");
            assertThat(answerer.threshold()).isEqualTo(0.987);
        }
    }

    @Test
    void stdinThatIsNotUtf8IsRefusedAsAFileIsNotAnsweredWithReplacementCharacters() {
        // "Café" in Latin-1: read from a FILE it stops the run; from stdin it was answered as "Caf" + U+FFFD.
        byte[] latin1 = "{\"id\": \"q1\", \"question\": \"Who?\", \"contexts\": [{\"id\": \"c\", \"text\": \"Caf\u00e9 x.\"}]}\n"
                .getBytes(StandardCharsets.ISO_8859_1);
        InputStream stdin = System.in;
        PrintStream stdout = System.out;
        ByteArrayOutputStream answers = new ByteArrayOutputStream();
        StringWriter errors = new StringWriter();
        try {
            System.setIn(new ByteArrayInputStream(latin1));
            System.setOut(new PrintStream(answers, true, StandardCharsets.UTF_8));
            CommandLine commandLine = ReaderCli.commandLine();
            commandLine.setErr(new PrintWriter(errors, true));
            assertThat(commandLine.execute("answer")).isEqualTo(1);
        } finally {
            System.setIn(stdin);
            System.setOut(stdout);
        }
        assertThat(answers.toString(StandardCharsets.UTF_8)).isEmpty();
        assertThat(errors.toString()).startsWith("error: not UTF-8 text");
    }

    @Test
    void aThresholdOutsideZeroToOneIsRefusedBeforeAModelLoads() {
        AnswerCommand command = new AnswerCommand();
        new CommandLine(command).parseArgs("--threshold", "5");

        assertThatThrownBy(command::answerer).hasMessage("--threshold must be in [0, 1], got 5.0");
    }

    @Test
    void duplicateContextIdsAreRejectedWithTheirLineNumber() {
        String input = "{\"id\": \"q1\", \"question\": \"Who?\", \"contexts\": [{\"id\": \"c\", \"text\": \"A b.\"}]}\n"
                + "{\"id\": \"q2\", \"question\": \"Who?\", \"contexts\": [{\"id\": \"c\", \"text\": \"A b.\"},"
                + " {\"id\": \"c\", \"text\": \"C d.\"}]}\n";
        assertThatThrownBy(() -> AnswerCommand.run(new FirstWord(), new StringReader(input), new StringWriter()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("line 2: context id 'c' appears twice; context ids must be unique");
    }

    @Test
    void malformedLinesAreRejectedWithTheirLineNumber() {
        String first = "{\"id\": \"q1\", \"question\": \"Who?\", \"contexts\": []}\n";
        for (String second : List.of("{\"id\": \"q2\"}",
                "{\"id\": null, \"question\": \"Who?\", \"contexts\": []}",
                "{\"id\": 2, \"question\": \"Who?\", \"contexts\": []}",
                "{\"id\": \"q2\", \"question\": \"Who?\", \"contexts\": [{\"id\": 3, \"text\": \"A b.\"}]}",
                "{\"id\": \"q2\", \"question\": \"Who?\", \"contexts\": [{\"id\": null, \"text\": \"A b.\"}]}",
                "{\"id\": \"q2\", \"question\": \"Who?\", \"contexts\": []} trailing garbage",
                "{\"id\": \"q2\", \"question\": \"Who?\", \"contexts\": []} {}",
                "{\"id\": \"q2\", \"question\": \" \\t\", \"contexts\": [{\"id\": \"c\", \"text\": \"A b.\"}]}",
                // A field given twice, as the model server refuses it: which one was meant?
                "{\"id\": \"q2\", \"question\": \"Who?\", \"question\": \"When?\", \"contexts\": []}",
                "{\"id\": \"q2\", \"question\": \"Who?\", \"contexts\": [{\"id\": \"c\", \"text\": \"A.\", \"text\": \"B.\"}]}")) {
            FirstWord answerer = new FirstWord();
            assertThatThrownBy(() -> AnswerCommand.run(answerer, new StringReader(first + second), new StringWriter()))
                    .as(second).isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("line 2");
            assertThat(answerer.batchSizes).as(second).isEmpty();
        }
    }
}
