package dev.diffrag.summarize.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.diffrag.model.AttentionKind;
import dev.diffrag.model.io.AtomicFiles;
import dev.diffrag.summarize.SelectionRule;
import dev.diffrag.summarize.eval.Rouge;
import dev.diffrag.summarize.train.CrossValidation;
import dev.diffrag.summarize.train.SalienceTraining;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Cross-validates a recipe over the train and dev parts for every attention kind and chooses the step and selection
 * rule that {@code train} ships: the (step, λ, lead prior) with the best out-of-fold ROUGE-1 + ROUGE-2 + ROUGE-L,
 * averaged over the kinds so both get the same recipe. Prints the comparison and writes it to
 * summarization-cv.json/.md when asked.
 */
@Command(name = "crossval", mixinStandardHelpOptions = true,
        description = "k-fold cross-validation over train+dev: choose the step, MMR lambda and lead prior.")
final class CrossValidateCommand implements Callable<Integer> {

    private static final ObjectMapper JSON = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();

    @Mixin
    RecipeOptions recipe;

    @Option(names = "--folds", defaultValue = "5") int folds;
    @Option(names = "--fold-seed", defaultValue = "7") long foldSeed;
    @Option(names = "--eval-every", defaultValue = "20") int evalEvery;
    @Option(names = "--ensemble", defaultValue = "1",
            description = "models per fold (seeds --seed, + 1, …), their salience averaged (default: ${DEFAULT-VALUE})")
    int ensemble;

    @Option(names = "--output", description = "directory for summarization-cv.json/.md (default: print only)")
    Path output;

    /** One (step, rule) with its mean out-of-fold scores per kind. */
    private record Joint(long step, SelectionRule rule, Map<AttentionKind, Rouge.Scores> byKind) {
        double total() {
            return byKind.values().stream().mapToDouble(s -> s.rouge1() + s.rouge2() + s.rougeL()).average()
                    .orElseThrow();
        }
    }

    @Override
    public Integer call() throws Exception {
        List<SalienceTraining.Article> articles = recipe.trainAndDev();
        int[] fold = CrossValidation.folds(articles.size(), folds, foldSeed);
        Map<String, Joint> joint = new LinkedHashMap<>();
        for (AttentionKind kind : recipe.kinds) {
            System.err.printf("%s: %d-fold cross-validation, %d steps%n", RecipeOptions.name(kind), folds,
                    recipe.steps);
            CrossValidation.Recipe run = new CrossValidation.Recipe(recipe.model(kind, new SelectionRule(1, 0)),
                    recipe.training(), recipe.softWeight, recipe.teacherWeight, evalEvery, ensemble);
            List<CrossValidation.Cell> cells = CrossValidation.grid(articles,
                    CrossValidation.outOfFold(articles, fold, folds, run, System.err));
            for (CrossValidation.Cell cell : cells) {
                joint.computeIfAbsent(cell.step() + " " + cell.rule(),
                        key -> new Joint(cell.step(), cell.rule(), new LinkedHashMap<>()))
                        .byKind().put(kind, cell.scores());
            }
        }
        List<Joint> ranked = new ArrayList<>(joint.values());
        ranked.sort(Comparator.comparingDouble(Joint::total).reversed());
        Joint best = ranked.get(0);
        Rouge.Scores lead = SalienceTraining.lead(articles);

        String markdown = markdown(articles.size(), best, ranked, lead);
        System.out.print(markdown);
        if (output != null) {
            Map<String, Object> report = new LinkedHashMap<>();
            report.put("articles", articles.size());
            report.put("folds", folds);
            report.put("foldSeed", foldSeed);
            report.put("ensemble", ensemble);
            Map<String, Object> recipeRecord = new LinkedHashMap<>();
            recipeRecord.put("training", recipe.training());
            recipeRecord.put("softWeight", recipe.softWeight);
            recipeRecord.put("teacher", recipe.teacher);
            recipeRecord.put("teacherWeight", recipe.teacherWeight);
            recipeRecord.put("sentenceFeatures", recipe.sentenceFeatures);
            recipeRecord.put("dModel", recipe.dModel);
            recipeRecord.put("layers", recipe.layers);
            recipeRecord.put("headDim", recipe.headDim);
            report.put("recipe", recipeRecord);
            report.put("chosen", row(best));
            report.put("lead3", percent(lead));
            report.put("top", ranked.stream().limit(20).map(CrossValidateCommand::row).toList());
            Files.createDirectories(output);
            AtomicFiles.write(output.resolve("summarization-cv.json"), out -> JSON.writeValue(out, report));
            AtomicFiles.writeString(output.resolve("summarization-cv.md"), markdown);
        }
        return 0;
    }

    private static Map<String, Object> row(Joint joint) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("step", joint.step());
        row.put("mmrLambda", joint.rule().mmrLambda());
        row.put("leadPrior", joint.rule().leadPrior());
        joint.byKind().forEach((kind, scores) -> row.put(RecipeOptions.name(kind), percent(scores)));
        return row;
    }

    private static Map<String, Double> percent(Rouge.Scores scores) {
        Map<String, Double> percent = new LinkedHashMap<>(); // a fixed key order keeps regenerated reports diffable
        percent.put("rouge1", round(scores.rouge1()));
        percent.put("rouge2", round(scores.rouge2()));
        percent.put("rougeL", round(scores.rougeL()));
        return percent;
    }

    private static double round(double value) {
        return Math.round(value * 10000) / 100.0;
    }

    private String markdown(int articles, Joint best, List<Joint> ranked, Rouge.Scores lead) {
        StringBuilder out = new StringBuilder("# Summarizer cross-validation on cnndm-250 (train + dev)\n\n");
        out.append(String.format("%d articles (train + dev; the test part is not read), %d folds (fold seed %d); "
                        + "out-of-fold ROUGE F1 × 100 of 3-sentence summaries. Recipe: %d-step schedule, lr %s, "
                        + "batch %d, seed %d, D = %d, %d layers, head dim %d, soft-label weight %s, teacher %s (weight %s), "
                        + "sentence features %s, %d model(s) per fold. LEAD-3 on "
                        + "the same articles: %.2f / %.2f / %.2f.%n%n", articles, folds, foldSeed, recipe.steps,
                recipe.learningRate, recipe.batchSize, recipe.seed, recipe.dModel, recipe.layers, recipe.headDim,
                recipe.softWeight,
                recipe.teacher == null ? "none" : recipe.teacher, recipe.teacherWeight,
                recipe.sentenceFeatures ? "on" : "off", ensemble,
                100 * lead.rouge1(), 100 * lead.rouge2(), 100 * lead.rougeL()));
        out.append(String.format("Chosen (best mean R1 + R2 + RL over the kinds): step %d, MMR λ %.1f, lead prior "
                + "%.1f.%n%n", best.step(), best.rule().mmrLambda(), best.rule().leadPrior()));
        out.append("| step | λ | lead prior |");
        best.byKind().keySet().forEach(kind -> out.append(' ').append(RecipeOptions.name(kind)).append(" R1 / R2 / RL |"));
        out.append("\n|---:|---:|---:|");
        best.byKind().keySet().forEach(kind -> out.append("---|"));
        out.append('\n');
        for (Joint joint : ranked.subList(0, Math.min(15, ranked.size()))) {
            out.append(String.format("| %d | %.1f | %.1f |", joint.step(), joint.rule().mmrLambda(),
                    joint.rule().leadPrior()));
            joint.byKind().values().forEach(s -> out.append(String.format(" %.2f / %.2f / %.2f |", 100 * s.rouge1(),
                    100 * s.rouge2(), 100 * s.rougeL())));
            out.append('\n');
        }
        // how the plain model (no prior) and the prior alone compare at the chosen step
        out.append("\nAt the chosen step, best λ for each lead prior:\n\n| lead prior |");
        best.byKind().keySet().forEach(kind -> out.append(' ').append(RecipeOptions.name(kind)).append(" R1 / R2 / RL |"));
        out.append('\n').append("|---:|");
        best.byKind().keySet().forEach(kind -> out.append("---|"));
        out.append('\n');
        for (double prior : CrossValidation.LEAD_PRIORS) {
            ranked.stream().filter(j -> j.step() == best.step() && j.rule().leadPrior() == prior).findFirst()
                    .ifPresent(j -> {
                        out.append(String.format("| %.1f (λ %.1f) |", prior, j.rule().mmrLambda()));
                        j.byKind().values().forEach(s -> out.append(String.format(" %.2f / %.2f / %.2f |",
                                100 * s.rouge1(), 100 * s.rouge2(), 100 * s.rougeL())));
                        out.append('\n');
                    });
        }
        return out.toString();
    }
}
