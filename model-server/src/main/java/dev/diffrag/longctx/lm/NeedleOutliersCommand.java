package dev.diffrag.longctx.lm;

import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import dev.diffrag.longctx.NeedleTask;
import dev.diffrag.model.ModelConfig;
import dev.diffrag.model.io.AtomicFiles;
import dev.diffrag.model.io.ModelFiles;
import dev.diffrag.reader.ReaderTokenizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.ToDoubleFunction;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code needle outliers DATA SEED=CHECKPOINTS...}: the report's activation-outlier measure (the paper's Table 5) at
 * several context lengths, for the models of several training seeds, into {@code OUT/outliers.json} and
 * {@code OUT/outliers.md}. A report measures outliers at one length only; this adds the long ones without rerunning
 * its accuracy grid.
 */
@Command(name = "outliers", mixinStandardHelpOptions = true,
        description = "Top-1 and median attention logits and hidden states by context length, per seed and model.")
final class NeedleOutliersCommand implements Callable<Integer> {

    @Parameters(index = "0", description = "the shared data folder, e.g. ../shared/data")
    Path data;

    @Parameters(index = "1..*", arity = "1..*",
            description = "SEED=DIR: a training seed and the folder holding one checkpoint folder per model")
    List<String> checkpoints;

    @Option(names = "--out", required = true) Path out;
    @Option(names = "--models", split = ",", defaultValue = "diff-v1,diff-v2,vanilla") List<String> models;
    @Option(names = "--head", defaultValue = "pointer", description = "lm or pointer, as in needle report") String head;
    @Option(names = "--lengths", split = ",", defaultValue = "1024,4096,8192") List<Integer> lengths;
    @Option(names = "--examples", defaultValue = "3",
            description = "examples per length; every value is kept for the median: 1-2 GB per 8K example and model")
    int examples;
    @Option(names = "--seed", defaultValue = "2026", description = "the evaluation seed, as in needle report") long seed;
    @Option(names = "--max-length", description = "positions the loaded models accept, as in needle report")
    Integer maxLength;

    /** One model of one training seed at one length. */
    record Row(String seed, String model, int contextTokens, int examples, double logitTop1, double logitMedian,
               double hiddenTop1, double hiddenMedian) {}

    record Document(String command, String head, List<Row> rows) {}

    @Override
    public Integer call() throws Exception {
        RetrievalHead answerHead = RetrievalHead.parse(head);
        Map<String, Path> folders = NeedleSeedsCommand.seedFolders(checkpoints);
        models.forEach(Variants::kind);
        requireMeasurable(folders);
        List<Row> rows = new ArrayList<>();
        try (ReaderTokenizer tokenizer = new ReaderTokenizer(); NDManager manager = NDManager.newBaseManager()) {
            NeedleTask task = NeedleTask.fromDirectory(data.resolve("longctx/paul-graham-essays"), tokenizer);
            NeedleReport report = new NeedleReport(task, List.of(), tokenizer,
                    ReportSettings.outliersOnly(examples, seed));
            ParameterStore ps = new ParameterStore(manager, false);
            for (Map.Entry<String, Path> folder : folders.entrySet()) {
                for (String name : models) {
                    Path directory = folder.getValue().resolve(name);
                    if (!Files.isDirectory(directory)) {
                        continue; // that seed did not train this model
                    }
                    try (NDManager modelManager = manager.newSubManager()) {
                        // Only the transformer is probed, so the answer limit does not matter.
                        NeedleReport.Subject subject = NeedleReportCommand.load(answerHead, directory, maxLength, 1, ps,
                                modelManager);
                        for (int length : lengths) {
                            NeedleReport.OutlierRow row = report.outliers(name, subject.transformer(), length,
                                    modelManager);
                            rows.add(new Row(folder.getKey(), name, length, row.examples(), row.logitTop1(),
                                    row.logitMedian(), row.hiddenTop1(), row.hiddenMedian()));
                        }
                    }
                }
            }
        }
        Document document = new Document(command(), answerHead.option(), rows);
        Files.createDirectories(out);
        ModelFiles.writeJson(out.resolve("outliers.json"), document);
        AtomicFiles.writeString(out.resolve("outliers.md"), markdown(document));
        return 0;
    }

    /**
     * Checks every seed folder before anything is measured. A seed may lack some models (it did not train them), but a
     * folder holding none of them is a wrong path (a typo, a report folder): skipped model by model, it would drop the
     * seed from the tables without a word. Every model must accept the longest length.
     */
    private void requireMeasurable(Map<String, Path> folders) throws IOException {
        int longest = lengths.stream().mapToInt(Integer::intValue).max().orElseThrow();
        for (Map.Entry<String, Path> folder : folders.entrySet()) {
            if (models.stream().noneMatch(name -> Files.isDirectory(folder.getValue().resolve(name)))) {
                throw new IllegalArgumentException("seed " + folder.getKey() + ": " + folder.getValue()
                        + " holds no checkpoint folder of " + String.join(", ", models));
            }
            for (String name : models) {
                Path directory = folder.getValue().resolve(name);
                if (Files.isDirectory(directory)) {
                    int positions = maxLength != null ? maxLength
                            : ModelFiles.readConfig(directory, ModelConfig.class).maxLength();
                    NeedleReportCommand.requireContextsFit(name, positions, longest);
                }
            }
        }
    }

    private String command() {
        List<String> parts = new ArrayList<>(List.of("needle outliers", data.toString()));
        parts.addAll(checkpoints);
        parts.addAll(List.of("--out", out.toString(), "--models", String.join(",", models), "--head", head,
                "--lengths", NeedleReportCommand.join(lengths), "--examples", Integer.toString(examples),
                "--seed", Long.toString(seed)));
        if (maxLength != null) {
            parts.addAll(List.of("--max-length", maxLength.toString()));
        }
        return String.join(" ", parts);
    }

    static String markdown(Document document) {
        List<String> seeds = document.rows().stream().map(Row::seed).distinct().toList();
        StringBuilder md = new StringBuilder("# Activation outliers by context length (issue 7)\n\n");
        md.append("Generated by (main class `dev.diffrag.longctx.lm.NeedleCli`, see model-server/README.md)\n\n```\n")
                .append(document.command()).append("\n```\n\n");
        md.append("The measure of the reports' \"Activation outliers\" section (the paper's Table 5): absolute attention "
                + "logits q·kᵀ/√d (causally visible pairs, every layer and head) and hidden states (residual stream "
                + "after every block), pooled over the examples of a length. The examples are the ones a report with "
                + "the same evaluation seed measures at that length. Paper (3B, 4K training): top-1 attention logit "
                + "38.8 (Diff) vs 318.0 (Transformer).\n\n");
        table(md, "Top-1 attention logit", document.rows(), seeds, Row::logitTop1);
        table(md, "Top-1 hidden state", document.rows(), seeds, Row::hiddenTop1);
        md.append("## Every value\n\n| seed | model | tokens | examples | logit top-1 | logit median | hidden top-1 "
                + "| hidden median |\n|---|---|---:|---:|---:|---:|---:|---:|\n");
        for (Row row : document.rows()) {
            md.append("| ").append(row.seed()).append(" | ").append(row.model()).append(" | ")
                    .append(row.contextTokens()).append(" | ").append(row.examples()).append(" | ")
                    .append(f2(row.logitTop1())).append(" | ").append(f2(row.logitMedian())).append(" | ")
                    .append(f2(row.hiddenTop1())).append(" | ").append(f2(row.hiddenMedian())).append(" |\n");
        }
        return md.toString();
    }

    /** Model × length rows, one column per seed. */
    private static void table(StringBuilder md, String title, List<Row> rows, List<String> seeds,
                              ToDoubleFunction<Row> value) {
        md.append("## ").append(title).append("\n\n| model | tokens |");
        seeds.forEach(seed -> md.append(" seed ").append(seed).append(" |"));
        md.append("\n|---|---:|").append("---:|".repeat(seeds.size())).append('\n');
        List<String> models = rows.stream().map(Row::model).distinct().toList();
        List<Integer> lengths = rows.stream().map(Row::contextTokens).distinct().sorted().toList();
        for (String model : models) {
            for (int length : lengths) {
                md.append("| ").append(model).append(" | ").append(length).append(" |");
                for (String seed : seeds) {
                    md.append(' ').append(rows.stream()
                            .filter(r -> r.seed().equals(seed) && r.model().equals(model) && r.contextTokens() == length)
                            .findFirst().map(r -> f2(value.applyAsDouble(r))).orElse("–")).append(" |");
                }
                md.append('\n');
            }
        }
        md.append('\n');
    }

    private static String f2(double v) {
        return String.format("%.2f", v);
    }
}
