package dev.diffrag.summarize.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.diffrag.cli.CommandLines;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** JSONL in, JSONL out: ids kept in order, every sentence verbatim at its offsets. */
class SummarizeCommandTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Map<String, String> TEXTS = Map.of(
            "a", "The council approved the budget on Monday. Taxes stay flat. Roads get more money. Parks get less.",
            "b", "A rare bird was seen in the valley. Birdwatchers travelled from far away to see it.");

    @Test
    void roundTripWithEachModel(@TempDir Path dir) throws Exception {
        Path input = dir.resolve("in.jsonl");
        Files.write(input, List.of(line("a"), "", line("b")));
        for (String model : List.of("lead-3", "diff-v1")) {
            Path output = dir.resolve(model + ".jsonl");
            int exit = new CommandLine(new SummarizeCli()).execute("summarize", "--input", input.toString(),
                    "--output", output.toString(), "--model", model, "--max-sentences", "2");
            assertThat(exit).isZero();

            List<String> lines = Files.readAllLines(output);
            assertThat(lines).hasSize(2);
            for (int i = 0; i < 2; i++) {
                JsonNode summary = JSON.readTree(lines.get(i));
                String id = summary.get("id").asText();
                assertThat(id).isEqualTo(i == 0 ? "a" : "b");
                assertThat(summary.get("sentences")).hasSize(2);
                for (JsonNode sentence : summary.get("sentences")) {
                    assertThat(TEXTS.get(id).substring(sentence.get("start").asInt(), sentence.get("end").asInt()))
                            .isEqualTo(sentence.get("text").asText());
                }
            }
        }
    }

    @Test
    void aLineWithoutTextFailsWithItsLineNumber(@TempDir Path dir) throws Exception {
        assertThat(errorsOfAFailedRun(dir, line("a"), "{\"id\":\"x\"}")).contains("line 2");
    }

    @Test
    void aLineWithTrailingContentFailsWithItsLineNumber(@TempDir Path dir) throws Exception {
        assertThat(errorsOfAFailedRun(dir, line("a"), line("a") + " trailing garbage")).contains("line 2: not JSON");
    }

    @Test
    void aSentenceBudgetBelowOneIsAnErrorOnOneLine(@TempDir Path dir) throws Exception {
        assertThat(errorsOfAFailedRun(dir, List.of(line("a")), "--max-sentences", "0"))
                .isEqualTo("error: need --max-sentences >= 1, --max-tokens >= 0 and --batch-size >= 1, got 0, 0 and 16"
                        + System.lineSeparator());
    }

    @Test
    void anInputThatIsNotUtf8IsNamedAsSuch(@TempDir Path dir) throws Exception {
        // "é" in ISO-8859-1: the error said only "Input length = 1".
        Path input = Files.write(dir.resolve("in.jsonl"), "{\"id\":\"a\",\"text\":\"Caf\u00e9 opens.\"}\n"
                .getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
        CommandLine cli = CommandLines.withOneLineErrors(new SummarizeCli());
        java.io.StringWriter errors = new java.io.StringWriter();
        cli.setErr(new java.io.PrintWriter(errors));
        assertThat(cli.execute("summarize", "--input", input.toString(), "--model", "lead-3")).isNotZero();
        assertThat(errors.toString()).startsWith("error: not UTF-8 text");
    }

    @Test
    void aModelNameBesideACheckpointIsRefusedNotIgnored(@TempDir Path dir) throws Exception {
        // The checkpoint was summarized with, and "--model lead-3" silently dropped.
        assertThat(errorsOfAFailedRun(dir, List.of(line("a")), "--checkpoint", dir.toString()))
                .startsWith("error: give --model or --checkpoint, not both");
    }

    @Test
    void aFailedRunLeavesTheEarlierOutputAsItWas(@TempDir Path dir) throws Exception {
        // Batches of one: the first two summaries were written out before line 3 failed, over the earlier output.
        Path output = Files.writeString(dir.resolve("out.jsonl"), "earlier output\n");
        errorsOfAFailedRun(dir, List.of(line("a"), line("b"), "{\"id\":\"x\"}"), "--batch-size", "1");
        assertThat(Files.readString(output)).isEqualTo("earlier output\n");
        try (var files = Files.list(dir)) {
            assertThat(files.map(f -> f.getFileName().toString())).containsExactlyInAnyOrder("in.jsonl", "out.jsonl");
        }
    }

    /** Runs {@code summarize} on these input lines, checks that it failed, and returns what it printed on stderr. */
    private static String errorsOfAFailedRun(Path dir, String... lines) throws Exception {
        return errorsOfAFailedRun(dir, List.of(lines));
    }

    private static String errorsOfAFailedRun(Path dir, List<String> lines, String... options) throws Exception {
        Path input = Files.write(dir.resolve("in.jsonl"), lines);
        CommandLine cli = CommandLines.withOneLineErrors(new SummarizeCli());
        java.io.StringWriter errors = new java.io.StringWriter();
        cli.setErr(new java.io.PrintWriter(errors));
        List<String> args = new java.util.ArrayList<>(List.of("summarize", "--input", input.toString(), "--output",
                dir.resolve("out.jsonl").toString(), "--model", "lead-3"));
        args.addAll(List.of(options));
        int exit = cli.execute(args.toArray(String[]::new));
        assertThat(exit).isNotZero();
        return errors.toString();
    }

    private static String line(String id) throws Exception {
        return JSON.writeValueAsString(Map.of("id", id, "text", TEXTS.get(id)));
    }
}
