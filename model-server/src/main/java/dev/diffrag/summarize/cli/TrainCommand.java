package dev.diffrag.summarize.cli;

import ai.djl.ndarray.NDManager;
import dev.diffrag.model.AttentionKind;
import dev.diffrag.model.Devices;
import dev.diffrag.model.io.ModelFiles;
import dev.diffrag.model.io.SafeTensors;
import dev.diffrag.model.train.TrainingConfig;
import dev.diffrag.summarize.SalienceConfig;
import dev.diffrag.summarize.SelectionRule;
import dev.diffrag.summarize.SentenceSalienceModel;
import dev.diffrag.summarize.train.SalienceTraining;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Trains the salience model once per attention kind with the same recipe, data, steps and seed (so the kinds differ
 * only in attention) on the train and dev parts, each into {@code <output>/<kind>/} (config.json with the selection
 * rule, model.safetensors, training-run.json). The step to stop at and the selection rule come from {@code crossval};
 * nothing is chosen here.
 */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = "Train the sentence-salience summarizer on the train and dev parts of cnndm-250.")
final class TrainCommand implements Callable<Integer> {

    /** Written beside each trained model: the recipe, split seed included, and the training time. */
    static final String RUN_FILE = "training-run.json";

    @Mixin
    RecipeOptions recipe;

    @Option(names = "--output", defaultValue = "model-server/src/main/resources/summarizer",
            description = "directory receiving one model directory per attention kind (default: ${DEFAULT-VALUE})")
    Path output;

    @Option(names = "--stop-at", defaultValue = "160",
            description = "update to stop at within the --steps schedule, chosen by crossval (default: ${DEFAULT-VALUE})")
    int stopAt;

    @Option(names = "--mmr-lambda", defaultValue = "0.7", description = "chosen by crossval (default: ${DEFAULT-VALUE})")
    double mmrLambda;

    @Option(names = "--lead-prior", defaultValue = "0.6", description = "chosen by crossval (default: ${DEFAULT-VALUE})")
    double leadPrior;

    @Override
    public Integer call() throws Exception {
        List<SalienceTraining.Article> articles = recipe.trainAndDev();
        TrainingConfig config = recipe.training();
        SelectionRule selection = new SelectionRule(mmrLambda, leadPrior);
        for (AttentionKind kind : recipe.kinds) {
            SalienceConfig modelConfig = recipe.model(kind, selection);
            List<SalienceTraining.Example> examples = new ArrayList<>();
            for (SalienceTraining.Article article : articles) {
                examples.add(SalienceTraining.example(article, modelConfig, recipe.softWeight, recipe.teacherWeight));
            }
            String name = RecipeOptions.name(kind);
            Path directory = output.resolve(name);
            try (NDManager manager = NDManager.newBaseManager(Devices.pick())) {
                SentenceSalienceModel model = SalienceTraining.initialised(modelConfig, recipe.seed, manager);
                long parameters = model.namedParameters().values().stream()
                        .mapToLong(p -> p.getShape().size()).sum();
                System.err.printf("training %s: %d parameters, %d of %d steps of %d documents%n", name, parameters,
                        stopAt, config.totalSteps(), config.batchSize());
                double seconds = SalienceTraining.fit(model, config, examples, stopAt, stopAt, step -> {});
                ModelFiles.save(directory, modelConfig, model.namedParameters(), SafeTensors.Dtype.F32);
                Map<String, Object> run = new LinkedHashMap<>();
                run.put("attention", kind.name());
                run.put("parameters", parameters);
                run.put("trainArticles", articles.size());
                run.put("splitSeed", recipe.splitSeed);
                run.put("stopAt", stopAt);
                run.put("softWeight", recipe.softWeight);
                run.put("teacher", recipe.teacher);
                run.put("teacherWeight", recipe.teacherWeight);
                run.put("selection", selection);
                run.put("trainingSeconds", Math.round(seconds));
                run.put("training", config);
                run.put("environment", Devices.ComputeEnvironment.of(manager.getDevice()));
                ModelFiles.writeJson(directory.resolve(RUN_FILE), run);
                System.err.printf("%s: %d steps in %.0f s -> %s%n", name, stopAt, seconds, directory);
            }
        }
        return 0;
    }
}
