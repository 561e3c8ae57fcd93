package dev.diffrag.summarize.cli;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.diffrag.model.AttentionKind;
import dev.diffrag.model.Devices;
import dev.diffrag.model.io.ModelFiles;
import dev.diffrag.model.train.ModelTrainer;
import dev.diffrag.model.train.TrainingConfig;
import dev.diffrag.summarize.EmbeddedDocument;
import dev.diffrag.summarize.SalienceConfig;
import dev.diffrag.summarize.SentenceSalienceModel;
import dev.diffrag.summarize.eval.ArticleEmbeddings;
import dev.diffrag.summarize.eval.CnnDmArticles;
import dev.diffrag.summarize.train.SalienceTraining;
import dev.langchain4j.model.embedding.onnx.allminilml6v2.AllMiniLmL6V2EmbeddingModel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * Trains the salience model once per attention kind on the same data, steps and seed (so the kinds differ only in
 * attention), each into {@code <output>/<kind>/} (config.json, model.safetensors, training-run.json).
 */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = "Train the sentence-salience summarizer on the train part of cnndm-250 (dev picks the step).")
final class TrainCommand implements Callable<Integer> {

    @Parameters(index = "0", description = "cnndm-250.jsonl")
    Path data;

    @Option(names = "--output", defaultValue = "model-server/src/main/resources/summarizer",
            description = "directory receiving one model directory per attention kind (default: ${DEFAULT-VALUE})")
    Path output;

    @Option(names = "--attention", split = ",", defaultValue = "DIFF_V1,VANILLA",
            description = "attention kinds to train (default: ${DEFAULT-VALUE})")
    List<AttentionKind> kinds;

    @Option(names = "--seed", defaultValue = "42", description = "initialisation and batch-order seed")
    int seed;

    @Option(names = "--split-seed", defaultValue = "" + CnnDmArticles.SPLIT_SEED, description = "train/dev/test split")
    long splitSeed;

    @Option(names = "--embedding-cache", defaultValue = "model-server/target/cnndm-sentence-embeddings.bin",
            description = "sentence embeddings cached between runs (default: ${DEFAULT-VALUE})")
    Path embeddingCache;

    @Option(names = "--steps", defaultValue = "400") int steps;
    @Option(names = "--batch-size", defaultValue = "16") int batchSize;
    @Option(names = "--learning-rate", defaultValue = "1e-3") double learningRate;
    @Option(names = "--warmup", defaultValue = "30") int warmup;
    @Option(names = "--eval-every", defaultValue = "20") int evalEvery;
    @Option(names = "--d-model", defaultValue = "64") int dModel;
    @Option(names = "--layers", defaultValue = "2") int layers;
    @Option(names = "--head-dim", defaultValue = "32") int headDim;
    @Option(names = "--max-sentences", defaultValue = "64", description = "sentences the model reads per document")
    int maxSentences;

    @Override
    public Integer call() throws Exception {
        CnnDmArticles.Split split = CnnDmArticles.split(CnnDmArticles.read(data), splitSeed);
        System.err.printf("split seed %d: %d train, %d dev, %d test (test untouched here)%n", splitSeed,
                split.train().size(), split.dev().size(), split.test().size());
        AllMiniLmL6V2EmbeddingModel embedder = new AllMiniLmL6V2EmbeddingModel();
        List<EmbeddedDocument> trainDocs = ArticleEmbeddings.embed(split.train(), embedder, embeddingCache);
        List<EmbeddedDocument> devDocs = ArticleEmbeddings.embed(split.dev(), embedder, embeddingCache);
        System.err.printf("%d train and %d dev sentences%n", trainDocs.stream().mapToInt(d -> d.sentences().size())
                .sum(), devDocs.stream().mapToInt(d -> d.sentences().size()).sum());

        List<SalienceTraining.Example> examples = new ArrayList<>();
        for (int i = 0; i < trainDocs.size(); i++) {
            examples.add(SalienceTraining.example(trainDocs.get(i), split.train().get(i).reference(), maxSentences));
        }
        List<SalienceTraining.DevArticle> dev = new ArrayList<>();
        for (int i = 0; i < devDocs.size(); i++) {
            dev.add(new SalienceTraining.DevArticle(devDocs.get(i), split.dev().get(i).reference()));
        }

        TrainingConfig config = TrainingConfig.of(learningRate, Math.min(warmup, steps), steps, batchSize, seed);
        for (AttentionKind kind : kinds) {
            SalienceConfig modelConfig = SalienceConfig.of(kind, dModel, layers, headDim, maxSentences, 384, 1.0);
            String name = kind.name().toLowerCase(Locale.ROOT).replace('_', '-');
            Path directory = output.resolve(name);
            ModelTrainer.seed(seed);
            try (NDManager manager = NDManager.newBaseManager(Devices.pick())) {
                SentenceSalienceModel model = new SentenceSalienceModel(modelConfig);
                model.initialize(manager, DataType.FLOAT32, new Shape(1, 1, modelConfig.embeddingDim()));
                long parameters = model.namedParameters().values().stream()
                        .mapToLong(p -> p.getShape().size()).sum();
                System.err.printf("training %s: %d parameters, %d steps of %d documents%n", name, parameters, steps,
                        batchSize);
                SalienceTraining.Outcome outcome = SalienceTraining.train(model, config, examples, dev, evalEvery,
                        directory, System.err);
                Map<String, Object> run = new LinkedHashMap<>();
                run.put("attention", kind.name());
                run.put("parameters", parameters);
                run.put("bestStep", outcome.bestStep());
                run.put("mmrLambda", outcome.mmrLambda());
                run.put("devRouge", Map.of("rouge1", 100 * outcome.devScores().rouge1(),
                        "rouge2", 100 * outcome.devScores().rouge2(), "rougeL", 100 * outcome.devScores().rougeL()));
                run.put("trainingSeconds", Math.round(outcome.seconds()));
                run.put("splitSeed", splitSeed);
                run.put("trainArticles", split.train().size());
                run.put("devArticles", split.dev().size());
                run.put("training", config);
                ModelFiles.writeJson(directory.resolve("training-run.json"), run);
                System.err.printf("%s: best dev step %d, lambda %.1f, %.0f s -> %s%n", name, outcome.bestStep(),
                        outcome.mmrLambda(), outcome.seconds(), directory);
            }
        }
        return 0;
    }
}
