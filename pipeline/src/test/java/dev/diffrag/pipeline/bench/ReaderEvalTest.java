package dev.diffrag.pipeline.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.diffrag.answer.Passage;
import dev.diffrag.reader.EvalCommand;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class ReaderEvalTest {

    private static final List<String> CONTEXTS = List.of(
            "The Eiffel Tower was completed in 1889 for the World's Fair in Paris.",
            "Blue whales feed almost exclusively on krill, eating up to four tonnes a day.",
            "Mount Everest, at 8,849 metres, is the highest mountain above sea level.",
            "The Danube flows through ten countries before it reaches the Black Sea.");

    @Test
    void aBadArgumentIsOneLineAndExitOneNotAStackTrace(@TempDir Path dir) {
        // Run with plain picocli, an error in the command printed its whole stack trace.
        StringWriter errors = new StringWriter();
        CommandLine cli = ReaderEval.commandLine();
        cli.setErr(new PrintWriter(errors));

        int exit = cli.execute(dir.resolve("no-such-xquad.json").toString(), "--reader", "diff-v1", "--out",
                dir.resolve("out").toString());

        assertThat(exit).isEqualTo(1);
        assertThat(errors.toString()).isEqualTo("error: " + dir.resolve("no-such-xquad.json")
                + " (No such file or directory)" + System.lineSeparator());
    }

    @Test
    void theJobRetrieverFindsTheParagraphThatAnswers() {
        List<Passage> paragraphs = new ArrayList<>();
        for (int i = 0; i < CONTEXTS.size(); i++) {
            paragraphs.add(new Passage("p" + i, CONTEXTS.get(i)));
        }
        try (ReaderEval.JobRetriever retriever = new ReaderEval.JobRetriever(paragraphs)) {
            List<Passage> found = retriever.retrieve("What do blue whales eat?");

            assertThat(found).isNotEmpty().hasSizeLessThanOrEqualTo(5);
            assertThat(found.get(0).text()).isEqualTo(CONTEXTS.get(1));
            assertThat(found.get(0).id()).contains("p1");
        }
    }

    @Test
    void writesAnOpenRowPerModelNextToTheOtherSettings(@TempDir Path dir) throws Exception {
        Path xquad = dir.resolve("xquad.json");
        Files.writeString(xquad, tinyXquad());

        int exit = new CommandLine(new EvalCommand(ReaderEval.JobRetriever::new, "test")).execute(
                xquad.toString(), "--reader", "diff-v1", "--gold-questions", "4", "--long-questions", "2",
                "--open-questions", "4", "--distractors", "2", "--out", dir.toString());

        assertThat(exit).isZero();
        JsonNode rows = new ObjectMapper().readTree(dir.resolve("reader-eval.json").toFile()).get("rows");
        List<String> settings = new ArrayList<>();
        rows.forEach(row -> settings.add(row.get("model").asText() + "/" + row.get("setting").asText()));
        assertThat(settings).contains("diff-v1/open", "baseline-sentence/open", "diff-v1/gold", "diff-v1/abstain");
        rows.forEach(row -> {
            if (row.get("setting").asText().equals("open")) {
                assertThat(row.get("questions").asInt()).isEqualTo(4);
                assertThat(row.get("f1").asDouble()).isBetween(0.0, 100.0);
                assertThat(row.get("answerRate").asDouble() + row.get("abstainRate").asDouble()).isEqualTo(1.0);
            }
        });
        assertThat(Files.readString(dir.resolve("reader-eval.md"))).contains("`open`: the top 5 chunks");
    }

    /** Four one-paragraph articles in the SQuAD v1.1 format, one question each. */
    private static String tinyXquad() throws Exception {
        List<String> questions = List.of("When was the Eiffel Tower completed?", "What do blue whales feed on?",
                "How high is Mount Everest?", "Where does the Danube end?");
        List<String> answers = List.of("1889", "krill", "8,849 metres", "the Black Sea");
        List<Object> data = new ArrayList<>();
        for (int i = 0; i < CONTEXTS.size(); i++) {
            String context = CONTEXTS.get(i);
            data.add(Map.of("title", "a" + i, "paragraphs", List.of(Map.of("context", context, "qas", List.of(Map.of(
                    "id", "q" + i, "question", questions.get(i), "answers", List.of(Map.of(
                            "answer_start", context.indexOf(answers.get(i)), "text", answers.get(i)))))))));
        }
        return new ObjectMapper().writeValueAsString(Map.of("data", data));
    }
}
