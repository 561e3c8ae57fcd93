package dev.diffrag.reader;

import dev.diffrag.answer.AnswerRequest;
import dev.diffrag.answer.Answerer;
import dev.diffrag.answer.BestSentenceAnswerer;
import dev.diffrag.answer.GroundedAnswer;
import dev.diffrag.answer.Passage;
import dev.diffrag.model.io.ModelFiles;
import dev.diffrag.reader.eval.PassageRetriever;
import dev.diffrag.reader.eval.SquadMetrics;
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
 * {@code reader-eval.md} into the output folder.
 */
@Command(name = "eval", mixinStandardHelpOptions = true, description = "Evaluate readers on XQuAD (evaluation only).")
public final class EvalCommand implements Callable<Integer> {

    /** Requests per answerer call. */
    private static final int CHUNK = 32;

    /** The {@code open} setting's retriever over the given paragraphs; null: no {@code open} setting. */
    private final Function<List<Passage>, ? extends PassageRetriever> openRetriever;
    /** How this command was invoked, for the report. */
    private final String invokedAs;
    /** The {@code open} retriever's description, once it ran. */
    private String openRetrieval;

    @Spec
    CommandSpec spec;

    /** The command without the {@code open} setting ({@code reader eval}). */
    public EvalCommand() {
        this(null, "reader eval");
    }

    /** The command with the {@code open} setting over {@code openRetriever}'s index of every XQuAD paragraph. */
    public EvalCommand(Function<List<Passage>, ? extends PassageRetriever> openRetriever, String invokedAs) {
        this.openRetriever = openRetriever;
        this.invokedAs = invokedAs;
    }

    @Parameters(index = "0", description = "xquad-en.json")
    Path xquad;

    @Option(names = "--reader", split = ",", defaultValue = "diff-v1,vanilla,diff-v1-scratch",
            description = "shipped readers by name, or NAME=CHECKPOINT_DIR")
    List<String> readers;

    @Option(names = "--baseline", negatable = true, defaultValue = "true", description = "also the sentence baseline")
    boolean baseline;

    @Option(names = "--gold-questions", defaultValue = "1190", description = "questions in the gold setting")
    int goldQuestions;

    @Option(names = "--long-questions", defaultValue = "100",
            description = "questions in the distractors and abstain settings (about 2,000 tokens each)")
    int longQuestions;

    @Option(names = "--open-questions", defaultValue = "1190", description = "questions in the open setting")
    int openQuestions;

    @Option(names = "--distractors", defaultValue = "9") int distractors;
    @Option(names = "--seed", defaultValue = "13") long seed;
    @Option(names = "--out", defaultValue = "docs/results") Path out;

    /** {@code f1BestSpan}: F1 of the reader's best span had it never abstained (null for the baseline). */
    record Row(String model, String setting, int questions, Double em, Double f1, double answerRate,
            double abstainRate, Double f1BestSpan) {}

    @Override
    public Integer call() throws Exception {
        Xquad data = Xquad.read(xquad);
        List<Xquad.Question> gold = data.sample(goldQuestions, seed);
        List<Xquad.Question> longSample = data.sample(longQuestions, seed);
        Map<Xquad.Question, AnswerRequest> open = retrieveOpen(data);
        // One model after another on this thread: DJL switches PyTorch's autograd off only for the thread that
        // started the engine, and DIFF V1's inference path works in place, which autograd forbids elsewhere.
        List<Row> rows = new ArrayList<>();
        for (String reader : readers) {
            String[] parts = reader.split("=", 2);
            try (Answerer answerer = parts.length == 2 ? DiffReaderAnswerer.load(Path.of(parts[1]), null)
                    : DiffReaderAnswerer.shipped(parts[0])) {
                rows.addAll(evaluate(parts[0], answerer, data, gold, longSample, open));
            }
        }
        if (baseline) {
            try (Answerer answerer = new BestSentenceAnswerer(new CachedEmbeddings(new AllMiniLmL6V2EmbeddingModel()),
                    BestSentenceAnswerer.DEFAULT_THRESHOLD)) {
                rows.addAll(evaluate(BestSentenceAnswerer.NAME, answerer, data, gold, longSample, open));
            }
        }
        write(rows);
        return 0;
    }

    /** Each {@code open} question's retrieved passages, retrieved once for all models; empty without a retriever. */
    private Map<Xquad.Question, AnswerRequest> retrieveOpen(Xquad data) throws Exception {
        Map<Xquad.Question, AnswerRequest> requests = new LinkedHashMap<>();
        if (openRetriever == null) {
            return requests;
        }
        try (PassageRetriever retriever = openRetriever.apply(data.paragraphs());
                ProgressBar bar = new ProgressBar("retrieve open", Math.min(openQuestions, data.questions().size()))) {
            openRetrieval = retriever.description();
            for (Xquad.Question question : data.sample(openQuestions, seed)) {
                requests.put(question, new AnswerRequest(question.question(), retriever.retrieve(question.question())));
                bar.step();
            }
        }
        return requests;
    }

    private List<Row> evaluate(String model, Answerer answerer, Xquad data, List<Xquad.Question> gold,
            List<Xquad.Question> longSample, Map<Xquad.Question, AnswerRequest> open) {
        List<Row> rows = new ArrayList<>();
        rows.add(spanRow(model, "gold", gold, answer(model + " gold", answerer, gold, data::gold)));
        rows.add(spanRow(model, "distractors", longSample, answer(model + " distractors", answerer, longSample,
                q -> data.withDistractors(q, distractors, seed))));
        if (!open.isEmpty()) {
            List<Xquad.Question> openSample = List.copyOf(open.keySet());
            rows.add(spanRow(model, "open", openSample, answer(model + " open", answerer, openSample, open::get)));
        }
        List<DiffReaderAnswerer.Reading> none = answer(model + " abstain", answerer, longSample,
                q -> data.distractorsOnly(q, distractors, seed));
        double abstained = none.stream().filter(r -> r.answer().abstained()).count() / (double) none.size();
        rows.add(new Row(model, "abstain", none.size(), null, null, 1 - abstained, abstained, null));
        rows.forEach(r -> spec.commandLine().getOut().println(r));
        return rows;
    }

    /** Readings of the questions; for an answerer other than the reader the best span is unknown (null). */
    private static List<DiffReaderAnswerer.Reading> answer(String task, Answerer answerer,
            List<Xquad.Question> questions, Function<Xquad.Question, AnswerRequest> request) {
        List<DiffReaderAnswerer.Reading> readings = new ArrayList<>();
        try (ProgressBar bar = new ProgressBar(task, questions.size())) {
            for (int from = 0; from < questions.size(); from += CHUNK) {
                List<AnswerRequest> slice = questions.subList(from, Math.min(questions.size(), from + CHUNK))
                        .stream().map(request).toList();
                if (answerer instanceof DiffReaderAnswerer reader) {
                    readings.addAll(reader.read(slice));
                } else {
                    answerer.answer(slice).forEach(a -> readings.add(new DiffReaderAnswerer.Reading(a, null)));
                }
                bar.stepBy(slice.size());
            }
        }
        return readings;
    }

    /** EM and F1 in percent over all questions; an abstention scores 0. */
    private static Row spanRow(String model, String setting, List<Xquad.Question> questions,
            List<DiffReaderAnswerer.Reading> readings) {
        double em = 0;
        double f1 = 0;
        double f1Best = 0;
        int answered = 0;
        boolean reader = readings.stream().allMatch(r -> r.bestSpan() != null);
        for (int i = 0; i < questions.size(); i++) {
            GroundedAnswer answer = readings.get(i).answer();
            List<String> golds = questions.get(i).answers();
            if (!answer.abstained()) {
                answered++;
                em += SquadMetrics.exactMatch(answer.answer(), golds);
                f1 += SquadMetrics.f1(answer.answer(), golds);
            }
            GroundedAnswer best = readings.get(i).bestSpan();
            if (reader && !best.abstained()) {
                f1Best += SquadMetrics.f1(best.answer(), golds);
            }
        }
        int n = questions.size();
        return new Row(model, setting, n, 100 * em / n, 100 * f1 / n, answered / (double) n,
                1 - answered / (double) n, reader ? 100 * f1Best / n : null);
    }

    private void write(List<Row> rows) throws IOException {
        Files.createDirectories(out);
        String command = invokedAs + " " + String.join(" ", spec.commandLine().getParseResult().originalArgs());
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("command", command);
        json.put("date", Instant.now().toString());
        json.put("rows", rows);
        ModelFiles.writeJson(out.resolve("reader-eval.json"), json);
        StringBuilder md = new StringBuilder("# Reader evaluation on XQuAD (English)\n\n")
                .append("Generated by `").append(command).append("` on ").append(json.get("date")).append(".\n\n")
                .append("EM and F1 in percent (an abstention scores 0); rates as fractions. `gold`: the gold ")
                .append("paragraph only; `distractors`: the gold paragraph among ").append(distractors)
                .append(" paragraphs of other articles, shuffled; `abstain`: those distractors only")
                .append(openRetrieval == null ? ". " : "; `open`: " + openRetrieval + ". ")
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
