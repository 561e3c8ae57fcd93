package dev.diffrag.longctx.lm;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.diffrag.longctx.KvRetrieval;
import dev.diffrag.longctx.NeedleTask;
import dev.diffrag.model.AttentionKind;
import dev.diffrag.model.DiffTransformer;
import dev.diffrag.reader.ReaderTokenizer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NeedleReportTest {

    @TempDir
    Path dir;

    @Test
    void writesTheIssuesJsonShapeAndTheMarkdownTables() throws Exception {
        Map<String, NeedleReport.Subject> models = new LinkedHashMap<>();
        String md = report(RetrievalHead.LM, (manager, ps) -> {
            for (AttentionKind kind : List.of(AttentionKind.DIFF_V1, AttentionKind.VANILLA)) {
                DiffTransformer model = TinyModels.model(manager, kind, ReaderTokenizer.VOCAB_SIZE, 1);
                models.put(kind == AttentionKind.VANILLA ? "vanilla" : "diff-v1",
                        new NeedleReport.Subject(model, new GreedyDecoder(model, ps, 3)));
            }
            return models;
        });
        assertThat(md).contains("greedy decoding");
    }

    @Test
    void pointerModelsAnswerWithSpansCopiedFromTheContext() throws Exception {
        Map<String, NeedleReport.Subject> models = new LinkedHashMap<>();
        String md = report(RetrievalHead.POINTER, (manager, ps) -> {
            for (AttentionKind kind : List.of(AttentionKind.DIFF_V1, AttentionKind.VANILLA)) {
                AnswerPointer pointer = TinyModels.pointer(manager, kind, ReaderTokenizer.VOCAB_SIZE, 1);
                models.put(kind == AttentionKind.VANILLA ? "vanilla" : "diff-v1",
                        new NeedleReport.Subject(pointer.model(), new PointerDecoder(pointer, ps, 3)));
            }
            return models;
        });
        assertThat(md).contains("copied from the context");
        assertThat(new ObjectMapper().readTree(dir.resolve("out/needle.json").toFile()).get("head").asText())
                .isEqualTo("pointer");
    }

    @Test
    void anAnswerCountsOnlyWhenItIsTheNumberAndNothingElse() throws Exception {
        // The needle grid compares decoded text, and decoding drops special tokens: an answer "[PAD] 1234567" or
        // "1234567 [UNK]" read as "1234567" and counted as exact (kv-retrieval compares tokens and counted it wrong).
        ReportSettings settings = new ReportSettings(List.of(96), List.of(new int[] {2, 2}), 2, List.of(), 1, 96, 1,
                List.of(3), 4, 3, 7);
        Map<String, NeedleAnswerer> answerers = new LinkedHashMap<>();
        answerers.put("exact", (prompt, manager) -> prompt.asked().stream().map(NeedleReportTest::expected).toList());
        for (int special : new int[] {ReaderTokenizer.PAD, 100, ReaderTokenizer.CLS, 103}) {
            answerers.put("before-" + special, (prompt, manager) -> prompt.asked().stream()
                    .map(a -> IntStream.concat(IntStream.of(special), IntStream.of(expected(a))).toArray()).toList());
            answerers.put("after-" + special, (prompt, manager) -> prompt.asked().stream()
                    .map(a -> IntStream.concat(IntStream.of(expected(a)), IntStream.of(special)).toArray()).toList());
        }
        try (ReaderTokenizer tokenizer = new ReaderTokenizer(); NDManager manager = NDManager.newBaseManager()) {
            NeedleTask task = NeedleTask.fromDirectory(TinyData.essays(dir), tokenizer);
            DiffTransformer model = TinyModels.model(manager, AttentionKind.VANILLA, ReaderTokenizer.VOCAB_SIZE, 1);
            Map<String, NeedleReport.Subject> subjects = new LinkedHashMap<>();
            answerers.forEach((name, answerer) -> subjects.put(name, new NeedleReport.Subject(model, answerer)));

            NeedleReport.Results results = new NeedleReport(task, KvRetrieval.read(TinyData.kv(dir, 4, 5)), tokenizer,
                    settings).run(subjects, manager);

            for (NeedleReport.Row row : results.rows()) {
                assertThat(row.accuracy()).as(row.model()).isEqualTo(row.model().equals("exact") ? 1.0 : 0.0);
            }
            for (NeedleReport.KvRow row : results.kvRetrieval()) {
                assertThat(row.accuracy()).as(row.model()).isEqualTo(row.model().equals("exact") ? 1.0 : 0.0);
            }
        }
    }

    /** The expected answer's tokens without the closing [SEP]. */
    private static int[] expected(NeedlePrompt.Asked asked) {
        return Arrays.copyOf(asked.answer(), asked.answer().length - 1);
    }

    /** Runs a small report of two models and checks what every report holds; returns the markdown. */
    private String report(RetrievalHead head, BiFunction<NDManager, ParameterStore, Map<String, NeedleReport.Subject>>
            models) throws Exception {
        ReportSettings settings = new ReportSettings(List.of(96), ReportSettings.paperCells(), 1, List.of(96), 1, 96, 1,
                List.of(3), 4, 3, 7);
        try (ReaderTokenizer tokenizer = new ReaderTokenizer(); NDManager manager = NDManager.newBaseManager()) {
            NeedleTask task = NeedleTask.fromDirectory(TinyData.essays(dir), tokenizer);
            List<KvRetrieval.Example> kv = KvRetrieval.read(TinyData.kv(dir, 4, 5));
            NeedleReport.Results results = new NeedleReport(task, kv, tokenizer, settings)
                    .run(models.apply(manager, new ParameterStore(manager, false)), manager);
            NeedleReportWriter.write(results, head, Path.of("checkpoints"), "needle report test", dir.resolve("out"));
        }

        JsonNode json = new ObjectMapper().readTree(dir.resolve("out/needle.json").toFile());
        assertThat(names(json)).contains("rows", "attention", "outliers", "kvRetrieval", "command");
        assertThat(json.get("rows")).hasSize(2 * 4);
        JsonNode row = json.get("rows").get(0);
        assertThat(names(row)).contains("model", "contextTokens", "needles", "asked", "accuracy");
        assertThat(row.get("model").asText()).isEqualTo("diff-v1");
        assertThat(row.get("contextTokens").asInt()).isEqualTo(96);
        assertThat(row.get("accuracy").asDouble()).isBetween(0.0, 1.0);
        for (JsonNode any : json.get("rows")) {
            // A whole number right starts with its first token right.
            assertThat(any.get("firstTokenAccuracy").asDouble()).isBetween(any.get("accuracy").asDouble(), 1.0);
        }
        List<String> cells = json.get("rows").findValuesAsText("needles");
        assertThat(cells).containsExactly("1", "2", "4", "6", "1", "2", "4", "6");
        assertThat(json.get("attention")).hasSize(2 * 5);
        assertThat(json.get("attention").findValuesAsText("depth")).containsSubsequence("0", "25", "50", "75", "100");
        assertThat(names(json.get("attention").get(0))).contains("answerMass", "noiseMass");
        assertThat(json.get("outliers")).hasSize(2);
        JsonNode outlier = json.get("outliers").get(0);
        assertThat(outlier.get("logitTop1").asDouble()).isGreaterThanOrEqualTo(outlier.get("logitMedian").asDouble())
                .isPositive();
        assertThat(outlier.get("hiddenTop1").asDouble()).isGreaterThanOrEqualTo(outlier.get("hiddenMedian").asDouble());
        int kvExamples = 0;
        for (JsonNode kvRow : json.get("kvRetrieval")) {
            assertThat(kvRow.get("pairs").asInt()).isEqualTo(3);
            assertThat(kvRow.get("goldPosition").asInt()).isBetween(0, 2);
            kvExamples += kvRow.get("examples").asInt();
        }
        assertThat(kvExamples).isEqualTo(2 * 4);

        String md = Files.readString(dir.resolve("out/needle.md"));
        assertThat(json.get("head").asText()).isEqualTo(head.option());
        assertThat(md).contains("`checkpoints/`", "needle report test", "| 1/1 | 2/2 | 4/2 | 6/2 |", "Diff (paper, 3B)",
                "| diff-v1 | 96 |", "| vanilla | 96 |", "logit top-1", "First answer token right");
        assertThat(md.indexOf("| Transformer (paper, 3B) |")).isPositive().isLessThan(md.indexOf("| Diff (paper, 3B) |"));
        return md;
    }

    private static Set<String> names(JsonNode node) {
        Set<String> names = new TreeSet<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
