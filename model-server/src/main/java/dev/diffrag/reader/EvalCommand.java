package dev.diffrag.reader;

import dev.diffrag.answer.AnswerRequest;
import dev.diffrag.answer.Answerer;
import dev.diffrag.answer.BestSentenceAnswerer;
import dev.diffrag.answer.Passage;
import dev.diffrag.eval.PairedBootstrap;
import dev.diffrag.model.io.AtomicFiles;
import dev.diffrag.model.io.ModelFiles;
import dev.diffrag.reader.eval.PassageRetriever;
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
import me.tongfei.progressbar.ProgressBar;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code reader eval XQUAD}: SQuAD exact match and F1 of each reader and the baseline sentence answerer on XQuAD
 * (English), in the settings {@code gold} (the gold paragraph only), {@code distractors} (the gold paragraph among 9
 * paragraphs of other articles, shuffled with the seed) and {@code abstain} (those 9 distractors only: how often the
 * reader abstains); with a {@link PassageRetriever} also {@code open} (the passages that retriever finds among all XQuAD
 * paragraphs; the pipeline runs this command with its own retriever). Writes {@code reader-eval.json} and
 * {@code reader-eval.md} into the output folder; with {@code --compare A:B} also each setting's paired difference
 * A − B with a 95% bootstrap interval ({@link PairedBootstrap}), both models having read the same questions.
 */
@Command(name = "eval", mixinStandardHelpOptions = true, description = "Evaluate readers on XQuAD (evaluation only).")
public final class EvalCommand implements Callable<Integer> {

    /** The {@code open} setting's retriever over the given paragraphs; null: no {@code open} setting. */
    private final Function<List<Passage>, ? extends PassageRetriever> openRetriever;
    /** How this command was invoked, for the report. */
    private final String invokedAs;
    /** The {@code open} retriever's description, once it ran. */
    private String openRetrieval;

    @Spec
    CommandSpec spec;

    /** The command without the {@code open} setting ({@code reader eval}; the original arguments start with eval). */
    public EvalCommand() {
        this(null, "reader");
    }

    /** The command with the {@code open} setting over {@code openRetriever}'s index of every XQuAD paragraph. */
    public EvalCommand(Function<List<Passage>, ? extends PassageRetriever> openRetriever, String invokedAs) {
        this.openRetriever = openRetriever;
        this.invokedAs = invokedAs;
    }

    @Parameters(index = "0", description = "xquad-en.json, or another file in SQuAD v1.1 format")
    Path xquad;

    @Option(names = "--reader", split = ",",
            defaultValue = "diff-v1,vanilla,diff-v2,diff-v1-scratch,diff-v2-long,diff-v1-long,vanilla-long,"
                    + "diff-v2-bge-top4,diff-v1-bge-top4,vanilla-bge-top4",
            description = "shipped readers by name, or NAME=CHECKPOINT_DIR")
    List<String> readers;

    @Option(names = "--baseline", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "also the sentence baseline (default: ${DEFAULT-VALUE}; --no-baseline: readers only)")
    boolean baseline;

    @Option(names = "--gold-questions", defaultValue = "1190", description = "questions in the gold setting")
    int goldQuestions;

    @Option(names = "--long-questions", defaultValue = "120",
            description = "questions in the distractors and abstain settings (about 2,000 tokens each)")
    int longQuestions;

    @Option(names = "--open-questions", defaultValue = "1190", description = "questions in the open setting")
    int openQuestions;

    @Option(names = "--distractors", defaultValue = "9") int distractors;
    @Option(names = "--seed", defaultValue = "13") long seed;
    @Option(names = "--out", defaultValue = "docs/results") Path out;

    @Option(names = "--compare", split = ",", paramLabel = "A:B",
            description = "pairs of evaluated models: per setting the mean difference A - B over the same questions "
                    + "with a 95%% paired-bootstrap interval (F1 points; abstain: the abstain rate)")
    List<String> comparisons = List.of();

    @Option(names = "--update",
            description = "evaluate only the --reader models (and the baseline unless --no-baseline) and keep the other "
                    + "models' rows of the report in --out, which must come from this command with the same settings")
    boolean update;

    /** One invocation that wrote rows of the report. */
    public record Run(String command, String date, List<String> models) {}

    /**
     * One setting's paired difference {@code a − b}: F1 points, or in {@code abstain} the abstain rate, with its 95%
     * bootstrap interval.
     */
    public record Comparison(String a, String b, String setting, int questions, double difference, double low,
            double high) {}

    /** The report file: the runs that made it, its rows and the paired comparisons asked for. */
    public record Report(List<Run> runs, List<Row> rows, List<Comparison> comparisons) {}

    @Override
    public Integer call() throws Exception {
        Xquad data = Xquad.read(xquad);
        if (distractors < 1 || distractors > data.mostDistractors()) {
            throw new IllegalArgumentException("--distractors must be between 1 and " + data.mostDistractors()
                    + " (the fewest paragraphs outside a question's article in " + xquad + "), got " + distractors);
        }
        // Before any model runs: a missing or incompatible report would otherwise fail the run at its end.
        Report previous = update ? previousReport() : null;
        List<Xquad.Question> gold = data.sample(goldQuestions, seed);
        List<Xquad.Question> longSample = data.sample(longQuestions, seed);
        List<ReaderScoring.Item> open = retrieveOpen(data);
        List<String[]> pairs = pairs();
        List<ReaderScoring.Scored> scored = new ArrayList<>();
        for (String reader : readers) {
            String[] parts = reader.split("=", 2);
            try (Answerer answerer = parts.length == 2 ? DiffReaderAnswerer.load(Path.of(parts[1]), null)
                    : DiffReaderAnswerer.shipped(parts[0])) {
                scored.addAll(evaluate(parts[0], answerer, data, gold, longSample, open));
            }
        }
        if (baseline) {
            try (Answerer answerer = new BestSentenceAnswerer(new CachedEmbeddings(new AllMiniLmL6V2EmbeddingModel()),
                    BestSentenceAnswerer.DEFAULT_THRESHOLD)) {
                scored.addAll(evaluate(BestSentenceAnswerer.NAME, answerer, data, gold, longSample, open));
            }
        }
        List<Row> rows = scored.stream().map(ReaderScoring.Scored::row).toList();
        Run run = new Run(invocation(), Instant.now().toString(),
                rows.stream().map(Row::model).distinct().toList());
        List<Comparison> compared = compare(pairs, scored);
        write(update ? merged(previous, run, rows, compared) : new Report(List.of(run), rows, compared));
        return 0;
    }

    /** The --compare pairs, refused unless both models are evaluated by this run. */
    private List<String[]> pairs() {
        List<String> evaluated = new ArrayList<>(readers.stream().map(r -> r.split("=", 2)[0]).toList());
        if (baseline) {
            evaluated.add(BestSentenceAnswerer.NAME);
        }
        List<String[]> pairs = new ArrayList<>();
        for (String comparison : comparisons) {
            String[] pair = comparison.split(":", -1);
            if (pair.length != 2 || !evaluated.contains(pair[0]) || !evaluated.contains(pair[1])) {
                throw new IllegalArgumentException("--compare " + comparison + ": expected A:B of models this run "
                        + "evaluates, " + evaluated);
            }
            pairs.add(pair);
        }
        return pairs;
    }

    /** Each pair's paired difference in every setting both models were scored in. */
    private List<Comparison> compare(List<String[]> pairs, List<ReaderScoring.Scored> scored) {
        Map<String, double[]> perQuestion = new HashMap<>();
        List<String> settings = new ArrayList<>();
        for (ReaderScoring.Scored s : scored) {
            perQuestion.put(s.row().model() + "\n" + s.row().setting(), s.perQuestion());
            if (!settings.contains(s.row().setting())) {
                settings.add(s.row().setting());
            }
        }
        List<Comparison> comparisons = new ArrayList<>();
        for (String[] pair : pairs) {
            for (String setting : settings) {
                double[] a = perQuestion.get(pair[0] + "\n" + setting);
                double[] b = perQuestion.get(pair[1] + "\n" + setting);
                if (a != null && b != null) {
                    PairedBootstrap.Difference d = PairedBootstrap.meanDifference(a, b, seed);
                    comparisons.add(new Comparison(pair[0], pair[1], setting, d.items(), d.mean(), d.low(),
                            d.high()));
                }
            }
        }
        return comparisons;
    }

    private String invocation() {
        return invokedAs + " " + String.join(" ", spec.commandLine().getParseResult().originalArgs());
    }

    /**
     * The report in --out, refused unless every run of it used this invocation's settings: the question samples,
     * the distractors and the {@code open} setting then are the same, so rows of different runs compare.
     */
    private Report previousReport() throws IOException {
        Path file = out.resolve("reader-eval.json");
        if (!Files.exists(file)) {
            throw new IllegalArgumentException("--update needs an earlier report at " + file);
        }
        com.fasterxml.jackson.databind.JsonNode json = ModelFiles.JSON.readTree(file.toFile());
        List<Run> runs = new ArrayList<>();
        if (json.has("runs")) {
            runs.addAll(List.of(ModelFiles.JSON.treeToValue(json.get("runs"), Run[].class)));
        }
        List<Row> rows = List.of(ModelFiles.JSON.treeToValue(json.get("rows"), Row[].class));
        List<Comparison> comparisons = json.has("comparisons")
                ? List.of(ModelFiles.JSON.treeToValue(json.get("comparisons"), Comparison[].class)) : List.of();
        if (json.has("command")) { // a report of one run, written before runs were recorded
            runs.add(new Run(json.get("command").asText(), json.get("date").asText(),
                    rows.stream().map(Row::model).distinct().toList()));
        }
        for (Run run : runs) {
            String settings = settings(run.command());
            if (!settings.equals(settings(invocation()))) {
                throw new IllegalArgumentException("the report in " + out + " was made with other settings ("
                        + settings + "; now " + settings(invocation()) + "): run without --update");
            }
        }
        return new Report(runs, rows, comparisons);
    }

    /** What makes rows comparable, read back from a recorded command: the entry point and every sampling option. */
    private String settings(String command) {
        if (!command.startsWith(invokedAs + " ")) {
            return "entry point " + command.split(" --")[0];
        }
        List<String> args = new ArrayList<>(List.of(command.substring(invokedAs.length() + 1).split(" ")));
        if (args.get(0).equals("eval")) {
            args.remove(0);
        }
        EvalCommand parsed = new EvalCommand(openRetriever, invokedAs);
        new picocli.CommandLine(parsed).parseArgs(args.toArray(String[]::new));
        return String.format("xquad %s, gold %d, long %d, open %d, distractors %d, seed %d",
                parsed.xquad.getFileName(), parsed.goldQuestions, parsed.longQuestions, parsed.openQuestions,
                parsed.distractors, parsed.seed);
    }

    /**
     * The earlier report with this run's models' rows replaced (in place) or added (at the end), and the run added;
     * earlier comparisons involving a model of this run are replaced by this run's.
     */
    static Report merged(Report previous, Run run, List<Row> fresh, List<Comparison> compared) {
        List<Row> rows = new ArrayList<>();
        List<String> placed = new ArrayList<>();
        for (Row row : previous.rows()) {
            if (!run.models().contains(row.model())) {
                rows.add(row);
            } else if (!placed.contains(row.model())) {
                placed.add(row.model());
                fresh.stream().filter(r -> r.model().equals(row.model())).forEach(rows::add);
            }
        }
        fresh.stream().filter(r -> !placed.contains(r.model())).forEach(rows::add);
        List<Run> runs = new ArrayList<>();
        for (Run earlier : previous.runs()) {
            List<String> kept = earlier.models().stream().filter(m -> !run.models().contains(m)).toList();
            if (!kept.isEmpty()) {
                runs.add(new Run(earlier.command(), earlier.date(), kept));
            }
        }
        runs.add(run);
        List<Comparison> comparisons = new ArrayList<>(previous.comparisons().stream()
                .filter(c -> !run.models().contains(c.a()) && !run.models().contains(c.b())).toList());
        comparisons.addAll(compared);
        return new Report(runs, rows, comparisons);
    }

    /** The {@code open} questions with their retrieved passages, retrieved once for all models (none without one). */
    private List<ReaderScoring.Item> retrieveOpen(Xquad data) throws Exception {
        if (openRetriever == null) {
            return List.of();
        }
        List<Xquad.Question> questions = data.sample(openQuestions, seed);
        try (PassageRetriever retriever = openRetriever.apply(data.paragraphs());
                ProgressBar bar = new ProgressBar("retrieve open", questions.size())) {
            openRetrieval = retriever.description();
            List<ReaderScoring.Item> items = new ArrayList<>();
            for (Xquad.Question q : questions) {
                items.add(new ReaderScoring.Item(new AnswerRequest(q.question(), retriever.retrieve(q.question())),
                        q.answers()));
                bar.step();
            }
            return items;
        }
    }

    private List<ReaderScoring.Scored> evaluate(String model, Answerer answerer, Xquad data,
            List<Xquad.Question> gold, List<Xquad.Question> longSample, List<ReaderScoring.Item> open) {
        List<ReaderScoring.Scored> rows = new ArrayList<>();
        rows.add(ReaderScoring.answerable(model, "gold", answerer, items(gold, data::gold)));
        rows.add(ReaderScoring.answerable(model, "distractors", answerer,
                items(longSample, q -> data.withDistractors(q, distractors, seed))));
        if (!open.isEmpty()) {
            rows.add(ReaderScoring.answerable(model, "open", answerer, open));
        }
        rows.add(ReaderScoring.unanswerable(model, "abstain", answerer,
                longSample.stream().map(q -> data.distractorsOnly(q, distractors, seed)).toList()));
        rows.forEach(r -> spec.commandLine().getOut().println(r.row()));
        return rows;
    }

    private static List<ReaderScoring.Item> items(List<Xquad.Question> questions,
            Function<Xquad.Question, AnswerRequest> request) {
        return questions.stream().map(q -> new ReaderScoring.Item(request.apply(q), q.answers())).toList();
    }

    private void write(Report report) throws IOException {
        Files.createDirectories(out);
        ModelFiles.writeJson(out.resolve("reader-eval.json"), report);
        // The command also reads any SQuAD-format file, such as a small hand-written diagnostic set.
        String file = xquad.getFileName().toString();
        String questions = file.equals("xquad-en.json") ? "XQuAD" : "`" + file + "`";
        StringBuilder md = new StringBuilder("# Reader evaluation on ")
                .append(file.equals("xquad-en.json") ? "XQuAD (English)" : questions).append("\n\n");
        for (Run run : report.runs()) {
            md.append(report.runs().size() == 1 ? "Generated by `" : "Rows of " + String.join(", ", run.models())
                    + " generated by `").append(run.command()).append("` on ").append(run.date()).append(".\n\n");
        }
        md.append("EM and F1 in percent (an abstention scores 0); rates as fractions. `gold`: the gold ")
                .append("paragraph only; `distractors`: the gold paragraph among ").append(distractors)
                .append(" paragraphs of other articles, shuffled; `abstain`: those distractors only")
                .append(openRetrieval == null ? ". " : "; `open`: " + openRetrieval + ". ")
                .append(questions).append(" is evaluation only: no training or threshold choice used it.\n\n")
                .append("`F1 best span`: F1 of the reader's best span had it never abstained.\n\n")
                .append("| model | setting | questions | EM | F1 | answer rate | abstain rate | F1 best span |\n")
                .append("|---|---|---:|---:|---:|---:|---:|---:|\n");
        for (Row row : report.rows()) {
            md.append(String.format("| %s | %s | %d | %s | %s | %.3f | %.3f | %s |%n", row.model(), row.setting(),
                    row.questions(), format(row.em()), format(row.f1()), row.answerRate(), row.abstainRate(),
                    format(row.f1BestSpan())));
        }
        if (!report.comparisons().isEmpty()) {
            md.append("\nPaired differences (both models read the same questions; 95% interval of the mean difference "
                    + "by the paired bootstrap, ").append(PairedBootstrap.RESAMPLES).append(" resamples of the "
                    + "questions): F1 points, and in `abstain` the abstain rate.\n\n")
                    .append("| A − B | setting | questions | difference | 95% interval |\n")
                    .append("|---|---|---:|---:|---|\n");
            for (Comparison c : report.comparisons()) {
                String number = c.setting().equals("abstain") ? "%+.3f" : "%+.1f";
                md.append(String.format("| %s − %s | %s | %d | " + number + " | [" + number + ", " + number + "] |%n",
                        c.a(), c.b(), c.setting(), c.questions(), c.difference(), c.low(), c.high()));
            }
        }
        AtomicFiles.writeString(out.resolve("reader-eval.md"), md.toString());
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
