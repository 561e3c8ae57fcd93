package dev.diffrag.summarize.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.diffrag.eval.PairedBootstrap;
import dev.diffrag.model.io.AtomicFiles;
import dev.diffrag.summarize.EmbeddedDocument;
import dev.diffrag.summarize.LeadSummarizer;
import dev.diffrag.summarize.SalienceSummarizer;
import dev.diffrag.summarize.Summarizer;
import dev.diffrag.summarize.Summary;
import dev.diffrag.summarize.SummaryBudget;
import dev.diffrag.summarize.SummaryRequest;
import dev.diffrag.summarize.eval.ArticleEmbeddings;
import dev.diffrag.summarize.eval.CnnDmArticles;
import dev.diffrag.summarize.eval.Rouge;
import dev.diffrag.summarize.train.SalienceTraining;
import dev.langchain4j.model.embedding.onnx.allminilml6v2.AllMiniLmL6V2EmbeddingModel;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * ROUGE-1/2/L F1 on the held-out test part of cnndm-250: the salience summarizers (Diff V1 and vanilla), LEAD-3 and
 * every published system in the data's {@code peers}, all on the same articles. Writes summarization-eval.json and
 * summarization-eval.md and prints the table.
 */
@Command(name = "eval", mixinStandardHelpOptions = true,
        description = "Evaluate the summarizers and the published peers on the held-out test part.")
final class EvalCommand implements Callable<Integer> {

    private static final ObjectMapper JSON = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();
    private static final List<String> PEERS = List.of("bart", "bert_sum", "pgn", "bus", "s2s");
    /** The comparisons: each model against LEAD-3, and Diff V1 against vanilla. */
    private static final List<List<String>> COMPARED = List.of(List.of("diff-v1", "lead-3"),
            List.of("vanilla", "lead-3"), List.of("diff-v1", "vanilla"));
    private static final long BOOTSTRAP_SEED = 13;

    @Parameters(index = "0", description = "cnndm-250.jsonl")
    Path data;

    @Option(names = "--split-seed", defaultValue = "" + CnnDmArticles.SPLIT_SEED, description = "as used in training")
    long splitSeed;

    @Option(names = "--part", defaultValue = "test",
            description = "test (held out; all rows) or all (every article; LEAD-3 and peers only, since the models "
                    + "were trained on part of them)")
    String part;

    @Option(names = "--diff-v1", description = "model directory (default: the shipped diff-v1)")
    Path diffV1;

    @Option(names = "--vanilla", description = "model directory (default: the shipped vanilla)")
    Path vanilla;

    @Option(names = "--embedding-cache", defaultValue = "model-server/target/cnndm-sentence-embeddings.bin",
            description = "sentence embeddings cached between runs (default: ${DEFAULT-VALUE})")
    Path embeddingCache;

    @Option(names = "--output", description = "directory for summarization-eval.json/.md (default: print only)")
    Path output;

    @Override
    public Integer call() throws Exception {
        if (part.equals("all") && (diffV1 != null || vanilla != null)) {
            // The models were trained on part of the articles, so --part all leaves them out of the report.
            throw new IllegalArgumentException("--diff-v1 and --vanilla are evaluated only with --part test; "
                    + "--part all scores LEAD-3 and the peers only");
        }
        if (part.equals("test")) {
            requireTrainedOnThisSplit("diff-v1", diffV1);
            requireTrainedOnThisSplit("vanilla", vanilla);
        }
        List<CnnDmArticles.Article> all = CnnDmArticles.read(data);
        List<CnnDmArticles.Article> articles = switch (part) {
            case "test" -> CnnDmArticles.split(all, splitSeed).test();
            case "all" -> all;
            default -> throw new IllegalArgumentException("--part must be test or all, got " + part);
        };
        List<String> references = articles.stream().map(CnnDmArticles.Article::reference).toList();
        Map<String, List<String>> candidates = new LinkedHashMap<>();
        if (part.equals("test")) {
            AllMiniLmL6V2EmbeddingModel embedder = new AllMiniLmL6V2EmbeddingModel();
            List<EmbeddedDocument> documents = ArticleEmbeddings.embed(articles, embedder, embeddingCache);
            try (SalienceSummarizer diff = diffV1 == null ? SalienceSummarizer.bundled("diff-v1", 0)
                            : SalienceSummarizer.load(diffV1, embedder, 0);
                    SalienceSummarizer plain = vanilla == null ? SalienceSummarizer.bundled("vanilla", 0)
                            : SalienceSummarizer.load(vanilla, embedder, 0)) {
                candidates.put("diff-v1", summaries(diff, documents));
                candidates.put("vanilla", summaries(plain, documents));
            }
        }
        candidates.put("lead-3", summaries(new LeadSummarizer(3), articles));
        for (String peer : PEERS) {
            candidates.put(peer, peerSummaries(articles, peer));
        }
        List<Map<String, Object>> rows = new ArrayList<>();
        candidates.forEach((system, summaries) -> rows.add(row(system, summaries, references)));
        List<Map<String, Object>> differences = part.equals("test")
                ? differences(candidates, references, COMPARED) : List.of();

        Map<String, Object> report = new LinkedHashMap<>();
        report.put("articles", articles.size());
        report.put("rows", rows);
        if (!differences.isEmpty()) {
            report.put("differences", differences);
        }
        String table = table(rows) + differencesTable(differences);
        System.out.print(table);
        if (output != null) {
            Files.createDirectories(output);
            AtomicFiles.write(output.resolve("summarization-eval.json"), out -> JSON.writeValue(out, report));
            AtomicFiles.writeString(output.resolve("summarization-eval.md"), markdown(articles.size(), table));
            System.err.println("wrote " + output.resolve("summarization-eval.json") + " and .md");
        }
        return 0;
    }

    /**
     * Refuses a checkpoint trained on the train and dev parts of another split seed (its training-run.json says which):
     * the test part of {@code --split-seed} then holds articles it was trained on, and the report would call them held
     * out. A checkpoint directory without training-run.json cannot tell and is evaluated.
     */
    private void requireTrainedOnThisSplit(String name, Path directory) throws IOException {
        JsonNode run;
        if (directory == null) {
            try (InputStream in = EvalCommand.class.getResourceAsStream(
                    SalienceSummarizer.BUNDLED + name + "/" + TrainCommand.RUN_FILE)) {
                run = in == null ? null : JSON.readTree(in);
            }
        } else {
            Path file = directory.resolve(TrainCommand.RUN_FILE);
            run = Files.exists(file) ? JSON.readTree(file.toFile()) : null;
        }
        JsonNode trained = run == null ? null : run.get("splitSeed");
        if (trained != null && trained.asLong() != splitSeed) {
            throw new IllegalArgumentException((directory == null ? "the shipped " + name : directory.toString())
                    + " was trained on split seed " + trained.asLong() + ", whose train and dev parts overlap the "
                    + "test part of --split-seed " + splitSeed + "; evaluate it with --split-seed " + trained.asLong()
                    + " or give checkpoints trained with --split-seed " + splitSeed);
        }
    }

    private static List<String> peerSummaries(List<CnnDmArticles.Article> articles, String peer) {
        List<String> summaries = new ArrayList<>();
        for (CnnDmArticles.Article article : articles) {
            String summary = article.peers().get(peer);
            if (summary == null) {
                throw new IllegalArgumentException("article " + article.id() + " has no summary by the peer '" + peer
                        + "' (peers: " + article.peers().keySet() + ")");
            }
            summaries.add(summary);
        }
        return summaries;
    }

    /**
     * What {@link SalienceSummarizer#summarize} returns, from the cached sentence embeddings (the same splitter,
     * embedder and selection; only the embedding work is saved).
     */
    private static List<String> summaries(SalienceSummarizer summarizer, List<EmbeddedDocument> documents) {
        List<String> texts = new ArrayList<>();
        for (int from = 0; from < documents.size(); from += 16) {
            List<EmbeddedDocument> part = documents.subList(from, Math.min(documents.size(), from + 16));
            List<double[]> salience = summarizer.salience(part);
            for (int d = 0; d < part.size(); d++) {
                EmbeddedDocument document = part.get(d);
                texts.add(summarizer.select(document, salience.get(d),
                                SummaryBudget.sentences(SalienceTraining.SUMMARY_SENTENCES)).stream()
                        .map(document::sentence).collect(Collectors.joining(" ")));
            }
        }
        return texts;
    }

    private static List<String> summaries(Summarizer summarizer, List<CnnDmArticles.Article> articles) {
        List<SummaryRequest> requests = articles.stream()
                .map(a -> new SummaryRequest(a.id(), a.article(), SalienceTraining.SUMMARY_SENTENCES)).toList();
        List<String> texts = new ArrayList<>();
        for (int from = 0; from < requests.size(); from += 16) {
            for (Summary summary : summarizer.summarize(requests.subList(from, Math.min(requests.size(), from + 16)))) {
                texts.add(summary.sentences().stream().map(Summary.Sentence::text).collect(Collectors.joining(" ")));
            }
        }
        return texts;
    }

    private static Map<String, Object> row(String system, List<String> candidates, List<String> references) {
        Rouge.Scores scores = Rouge.mean(candidates, references);
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("system", system);
        row.put("rouge1", round(100 * scores.rouge1()));
        row.put("rouge2", round(100 * scores.rouge2()));
        row.put("rougeL", round(100 * scores.rougeL()));
        return row;
    }

    private static double round(double value) {
        return Math.round(value * 100) / 100.0;
    }

    /**
     * For each pair (A, B) and ROUGE measure, the mean per-article difference A − B (F1 × 100) with its 95% paired
     * bootstrap interval over the articles ({@link PairedBootstrap}).
     */
    static List<Map<String, Object>> differences(Map<String, List<String>> candidates, List<String> references,
            List<List<String>> pairs) {
        Map<String, double[][]> perArticle = new LinkedHashMap<>(); // system → [measure][article]
        candidates.forEach((system, summaries) -> {
            double[][] scores = new double[3][summaries.size()];
            for (int i = 0; i < summaries.size(); i++) {
                Rouge.Scores s = Rouge.score(summaries.get(i), references.get(i));
                scores[0][i] = 100 * s.rouge1();
                scores[1][i] = 100 * s.rouge2();
                scores[2][i] = 100 * s.rougeL();
            }
            perArticle.put(system, scores);
        });
        List<String> measures = List.of("rouge1", "rouge2", "rougeL");
        List<Map<String, Object>> differences = new ArrayList<>();
        for (List<String> pair : pairs) {
            for (int m = 0; m < measures.size(); m++) {
                PairedBootstrap.Difference d = PairedBootstrap.meanDifference(perArticle.get(pair.get(0))[m],
                        perArticle.get(pair.get(1))[m], BOOTSTRAP_SEED);
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("a", pair.get(0));
                row.put("b", pair.get(1));
                row.put("measure", measures.get(m));
                row.put("difference", round(d.mean()));
                row.put("low", round(d.low()));
                row.put("high", round(d.high()));
                differences.add(row);
            }
        }
        return differences;
    }

    private static String differencesTable(List<Map<String, Object>> differences) {
        if (differences.isEmpty()) {
            return "";
        }
        StringBuilder out = new StringBuilder("\nPaired differences A − B over the same articles (ROUGE F1 × 100; 95% "
                + "interval of the mean difference by the paired bootstrap, " + PairedBootstrap.RESAMPLES
                + " resamples of the articles):\n\n| A − B | measure | difference | 95% interval |\n"
                + "|---|---|---:|---|\n");
        for (Map<String, Object> d : differences) {
            out.append(String.format("| %s − %s | %s | %+.2f | [%+.2f, %+.2f] |%n", d.get("a"), d.get("b"),
                    d.get("measure"), d.get("difference"), d.get("low"), d.get("high")));
        }
        return out.toString();
    }

    private static String table(List<Map<String, Object>> rows) {
        StringBuilder out = new StringBuilder("| system | ROUGE-1 | ROUGE-2 | ROUGE-L |\n|---|---:|---:|---:|\n");
        for (Map<String, Object> row : rows) {
            out.append(String.format("| %s | %.2f | %.2f | %.2f |%n", row.get("system"), row.get("rouge1"),
                    row.get("rouge2"), row.get("rougeL")));
        }
        return out.toString();
    }

    String markdown(int articles, String table) {
        String scope = part.equals("test")
                ? "the held-out test part (split seed " + splitSeed + ": " + CnnDmArticles.TRAIN + " train / "
                        + CnnDmArticles.DEV + " dev / " + articles + " test, less the training and dev articles "
                        + "that are near duplicates of a test article; the test part was used neither for training "
                        + "nor for any choice)"
                : "all articles (LEAD-3 and the published systems only)";
        String checkpoints = diffV1 == null && vanilla == null
                ? "the shipped salience checkpoints (model-server/src/main/resources/summarizer/; trained on "
                        + "train + dev, recipe, step and selection rule chosen by cross-validation over train + dev, "
                        + "see summarization-cv.md)"
                : "the salience checkpoints in " + (diffV1 == null ? "(shipped)" : diffV1) + " and "
                        + (vanilla == null ? "(shipped)" : vanilla);
        return "# Summarization on cnndm-250\n\n" + articles + " articles, " + scope + ". ROUGE F1 × 100 "
                + "(lower-cased alphanumeric tokens, no stemming, ROUGE-L = LCS of the whole summary). diff-v1 and "
                + "vanilla: " + checkpoints + ", 3 sentences chosen by each checkpoint's selection rule (lead prior, "
                + "then MMR); lead-3: the first 3 sentences; the others: the published systems' outputs in the data "
                + "(`peers`).\n\n" + table
                + "\nGenerated by (from the repository root):\n\n```\n"
                + "mvn -B -q -pl model-server compile dependency:build-classpath "
                + "-Dmdep.outputFile=$PWD/model-server/target/cp.txt\n"
                + "DJL_CACHE_DIR=model-server/target/djl-cache java -Dai.djl.offline=true -Dai.djl.pytorch.num_threads=1 "
                + "\\\n  -cp \"model-server/target/classes:$(cat model-server/target/cp.txt)\" "
                + "dev.diffrag.summarize.cli.SummarizeCli \\\n  eval " + data
                + (splitSeed == CnnDmArticles.SPLIT_SEED ? "" : " --split-seed " + splitSeed)
                + " --part " + part + (diffV1 == null ? "" : " --diff-v1 " + diffV1)
                + (vanilla == null ? "" : " --vanilla " + vanilla) + " --output " + output + "\n```\n";
    }
}
