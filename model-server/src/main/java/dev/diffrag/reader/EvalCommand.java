package dev.diffrag.reader;

import dev.diffrag.answer.AnswerRequest;
import dev.diffrag.answer.Answerer;
import dev.diffrag.answer.BestSentenceAnswerer;
import dev.diffrag.model.io.ModelFiles;
import dev.diffrag.reader.eval.ReaderScoring;
import dev.diffrag.reader.eval.ReaderScoring.Row;
import dev.diffrag.reader.eval.Xquad;
import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.model.embedding.onnx.allminilml6v2.AllMiniLmL6V2EmbeddingModel;
import dev.langchain4j.model.output.Response;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Function;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code reader eval XQUAD}: SQuAD exact match and F1 of each reader and the baseline sentence answerer on XQuAD
 * (English), in the settings {@code gold} (the gold paragraph only), {@code distractors} (the gold paragraph among 9
 * paragraphs of other articles, shuffled with the seed) and {@code abstain} (those 9 distractors only: how often the
 * reader abstains). Writes {@code reader-eval.json} and {@code reader-eval.md} into the output folder.
 */
@Command(name = "eval", mixinStandardHelpOptions = true, description = "Evaluate readers on XQuAD (evaluation only).")
final class EvalCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", description = "xquad-en.json")
    Path xquad;

    @Option(names = "--reader", split = ",", defaultValue = "diff-v1,vanilla,diff-v2,diff-v1-scratch",
            description = "shipped readers by name, or NAME=CHECKPOINT_DIR")
    List<String> readers;

    @Option(names = "--baseline", negatable = true, defaultValue = "true", description = "also the sentence baseline")
    boolean baseline;

    @Option(names = "--gold-questions", defaultValue = "1190", description = "questions in the gold setting")
    int goldQuestions;

    @Option(names = "--long-questions", defaultValue = "120",
            description = "questions in the distractors and abstain settings (about 2,000 tokens each)")
    int longQuestions;

    @Option(names = "--distractors", defaultValue = "9") int distractors;
    @Option(names = "--seed", defaultValue = "13") long seed;
    @Option(names = "--out", defaultValue = "docs/results") Path out;

    @Override
    public Integer call() throws IOException {
        Xquad data = Xquad.read(xquad);
        List<Xquad.Question> gold = data.sample(goldQuestions, seed);
        List<Xquad.Question> longSample = data.sample(longQuestions, seed);
        // One model after another on this thread: DJL switches PyTorch's autograd off only for the thread that
        // started the engine, and DIFF V1's inference path works in place, which autograd forbids elsewhere.
        List<Row> rows = new ArrayList<>();
        for (String reader : readers) {
            String[] parts = reader.split("=", 2);
            try (Answerer answerer = parts.length == 2 ? DiffReaderAnswerer.load(Path.of(parts[1]), null)
                    : DiffReaderAnswerer.shipped(parts[0])) {
                rows.addAll(evaluate(parts[0], answerer, data, gold, longSample));
            }
        }
        if (baseline) {
            try (Answerer answerer = new BestSentenceAnswerer(new CachedEmbeddings(new AllMiniLmL6V2EmbeddingModel()),
                    BestSentenceAnswerer.DEFAULT_THRESHOLD)) {
                rows.addAll(evaluate(BestSentenceAnswerer.NAME, answerer, data, gold, longSample));
            }
        }
        write(rows);
        return 0;
    }

    private List<Row> evaluate(String model, Answerer answerer, Xquad data, List<Xquad.Question> gold,
            List<Xquad.Question> longSample) {
        List<Row> rows = List.of(
                ReaderScoring.answerable(model, "gold", answerer, items(gold, data::gold)),
                ReaderScoring.answerable(model, "distractors", answerer,
                        items(longSample, q -> data.withDistractors(q, distractors, seed))),
                ReaderScoring.unanswerable(model, "abstain", answerer,
                        longSample.stream().map(q -> data.distractorsOnly(q, distractors, seed)).toList()));
        rows.forEach(r -> spec.commandLine().getOut().println(r));
        return rows;
    }

    private static List<ReaderScoring.Item> items(List<Xquad.Question> questions,
            Function<Xquad.Question, AnswerRequest> request) {
        return questions.stream().map(q -> new ReaderScoring.Item(request.apply(q), q.answers())).toList();
    }

    private void write(List<Row> rows) throws IOException {
        Files.createDirectories(out);
        String command = "reader " + String.join(" ", spec.commandLine().getParseResult().originalArgs());
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("command", command);
        json.put("date", Instant.now().toString());
        json.put("rows", rows);
        ModelFiles.writeJson(out.resolve("reader-eval.json"), json);
        StringBuilder md = new StringBuilder("# Reader evaluation on XQuAD (English)\n\n")
                .append("Generated by `").append(command).append("` on ").append(json.get("date")).append(".\n\n")
                .append("EM and F1 in percent (an abstention scores 0); rates as fractions. `gold`: the gold ")
                .append("paragraph only; `distractors`: the gold paragraph among ").append(distractors)
                .append(" paragraphs of other articles, shuffled; `abstain`: those distractors only. ")
                .append("XQuAD is evaluation only: no training or threshold choice used it.\n\n")
                .append("`F1 best span`: F1 of the reader's best span had it never abstained.\n\n")
                .append("| model | setting | questions | EM | F1 | answer rate | abstain rate | F1 best span |\n")
                .append("|---|---|---:|---:|---:|---:|---:|---:|\n");
        for (Row row : rows) {
            md.append(String.format("| %s | %s | %d | %s | %s | %.3f | %.3f | %s |%n", row.model(), row.setting(),
                    row.questions(), format(row.em()), format(row.f1()), row.answerRate(), row.abstainRate(),
                    format(row.f1BestSpan())));
        }
        Files.writeString(out.resolve("reader-eval.md"), md.toString());
    }

    private static String format(Double percent) {
        return percent == null ? "–" : String.format("%.1f", percent);
    }

    /** The baseline embeds every sentence of every request; the same paragraphs recur, so embed each text once. */
    private static final class CachedEmbeddings implements EmbeddingModel {
        private final EmbeddingModel delegate;
        private final Map<String, Embedding> cache = new HashMap<>();

        CachedEmbeddings(EmbeddingModel delegate) {
            this.delegate = delegate;
        }

        @Override
        public Response<List<Embedding>> embedAll(List<TextSegment> segments) {
            List<TextSegment> missing = segments.stream().filter(s -> !cache.containsKey(s.text()))
                    .distinct().toList();
            if (!missing.isEmpty()) {
                List<Embedding> computed = delegate.embedAll(missing).content();
                for (int i = 0; i < missing.size(); i++) {
                    cache.put(missing.get(i).text(), computed.get(i));
                }
            }
            return Response.from(segments.stream().map(s -> cache.get(s.text())).toList());
        }
    }
}
