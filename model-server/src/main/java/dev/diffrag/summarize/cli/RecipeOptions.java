package dev.diffrag.summarize.cli;

import dev.diffrag.model.AttentionKind;
import dev.diffrag.model.train.TrainingConfig;
import dev.diffrag.summarize.EmbeddedDocument;
import dev.diffrag.summarize.SalienceConfig;
import dev.diffrag.summarize.SelectionRule;
import dev.diffrag.summarize.eval.ArticleEmbeddings;
import dev.diffrag.summarize.eval.CnnDmArticles;
import dev.diffrag.summarize.train.SalienceTraining;
import dev.langchain4j.model.embedding.onnx.allminilml6v2.AllMiniLmL6V2EmbeddingModel;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * The training recipe shared by {@code train} and {@code crossval}, so that what cross-validation measured is what
 * gets trained: data, split, model shape, schedule and labels. Defaults are the shipped recipe.
 */
final class RecipeOptions {

    @Parameters(index = "0", description = "cnndm-250.jsonl")
    Path data;

    @Option(names = "--attention", split = ",", defaultValue = "DIFF_V1,VANILLA",
            description = "attention kinds, each trained with the same recipe (default: ${DEFAULT-VALUE})")
    List<AttentionKind> kinds;

    @Option(names = "--seed", defaultValue = "42", description = "initialisation and batch-order seed")
    int seed;

    @Option(names = "--split-seed", defaultValue = "" + CnnDmArticles.SPLIT_SEED, description = "train/dev/test split")
    long splitSeed;

    @Option(names = "--embedding-cache", defaultValue = "model-server/target/cnndm-sentence-embeddings.bin",
            description = "sentence embeddings cached between runs (default: ${DEFAULT-VALUE})")
    Path embeddingCache;

    @Option(names = "--steps", defaultValue = "400", description = "updates of the learning-rate schedule")
    int steps;
    @Option(names = "--batch-size", defaultValue = "16") int batchSize;
    @Option(names = "--learning-rate", defaultValue = "3e-4") double learningRate;
    @Option(names = "--warmup", defaultValue = "30") int warmup;
    @Option(names = "--d-model", defaultValue = "64") int dModel;
    @Option(names = "--layers", defaultValue = "2") int layers;
    @Option(names = "--head-dim", defaultValue = "32") int headDim;
    @Option(names = "--max-sentences", defaultValue = "64", description = "sentences the model reads per document")
    int maxSentences;

    @Option(names = "--soft-weight", defaultValue = "0",
            description = "targets = (1 - w)·greedy oracle + w·per-sentence ROUGE gain (default: ${DEFAULT-VALUE})")
    double softWeight;

    @Option(names = "--teacher", description = "a published system of the data (peers: bart, bert_sum, …) whose "
            + "summaries of the training articles give extra oracle labels (default: none)")
    String teacher;

    @Option(names = "--teacher-weight", defaultValue = "0",
            description = "targets = (1 - t)·reference labels + t·teacher's labels (default: ${DEFAULT-VALUE})")
    double teacherWeight;

    @Option(names = "--sentence-features", defaultValue = "true", negatable = true, fallbackValue = "true",
            description = "append position, length and centrality to each sentence embedding (default: ${DEFAULT-VALUE})")
    boolean sentenceFeatures;

    TrainingConfig training() {
        return TrainingConfig.of(learningRate, Math.min(warmup, steps), steps, batchSize, seed);
    }

    SalienceConfig model(AttentionKind kind, SelectionRule selection) {
        return SalienceConfig.of(kind, dModel, layers, headDim, maxSentences, 384, selection, sentenceFeatures);
    }

    static String name(AttentionKind kind) {
        return kind.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /**
     * The articles allowed for training and choices: the train part followed by the dev part (the test part is
     * neither read further nor embedded here).
     */
    List<SalienceTraining.Article> trainAndDev() throws IOException {
        requireShare("--soft-weight", softWeight);
        requireShare("--teacher-weight", teacherWeight);
        if (teacher != null && !(teacherWeight > 0)) {
            throw new IllegalArgumentException("--teacher " + teacher + " needs --teacher-weight above 0 (with "
                    + teacherWeight + " its summaries give no labels)");
        }
        CnnDmArticles.Split split = CnnDmArticles.split(CnnDmArticles.read(data), splitSeed);
        System.err.printf("split seed %d: %d train + %d dev articles used, %d test untouched%n", splitSeed,
                split.train().size(), split.dev().size(), split.test().size());
        List<CnnDmArticles.Article> articles = new ArrayList<>(split.train());
        articles.addAll(split.dev());
        List<EmbeddedDocument> documents = ArticleEmbeddings.embed(articles, new AllMiniLmL6V2EmbeddingModel(),
                embeddingCache);
        List<SalienceTraining.Article> labelled = new ArrayList<>();
        for (int i = 0; i < articles.size(); i++) {
            labelled.add(new SalienceTraining.Article(documents.get(i), articles.get(i).reference(),
                    teacherSummary(articles.get(i))));
        }
        return labelled;
    }

    /** Targets mix labels by {@code w} and {@code 1 - w}: outside [0, 1] (or NaN) one share turns negative. */
    private static void requireShare(String option, double weight) {
        if (!(weight >= 0 && weight <= 1)) {
            throw new IllegalArgumentException(option + " must lie in [0, 1], got " + weight);
        }
    }

    private String teacherSummary(CnnDmArticles.Article article) {
        if (teacher == null) {
            return null;
        }
        String summary = article.peers().get(teacher);
        if (summary == null) {
            throw new IllegalArgumentException("article " + article.id() + " has no summary by teacher '" + teacher
                    + "'; its peers are " + article.peers().keySet());
        }
        return summary;
    }
}
