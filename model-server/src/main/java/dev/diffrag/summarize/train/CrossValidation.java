package dev.diffrag.summarize.train;

import ai.djl.ndarray.NDManager;
import dev.diffrag.model.Devices;
import dev.diffrag.model.train.TrainingConfig;
import dev.diffrag.summarize.EmbeddedDocument;
import dev.diffrag.summarize.SalienceConfig;
import dev.diffrag.summarize.SelectionRule;
import dev.diffrag.summarize.SentenceSalienceModel;
import dev.diffrag.summarize.SummaryBudget;
import dev.diffrag.summarize.eval.Rouge;
import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.LongFunction;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * k-fold cross-validation of a training recipe over the articles allowed for choices (the train and dev parts of
 * cnndm-250): each fold's model is trained on the other folds and scores the fold's articles, so every article gets
 * an out-of-fold salience at every evaluation step. Steps and {@link SelectionRule}s are then compared on all
 * out-of-fold summaries at once, far less noisy than 25 dev articles.
 */
public final class CrossValidation {

    /** The MMR salience weights tried. */
    public static final List<Double> LAMBDAS = List.of(0.6, 0.7, 0.8, 0.9, 1.0);
    /** The lead-prior weights tried. */
    public static final List<Double> LEAD_PRIORS = List.of(0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7);

    /**
     * What each fold trains: the model, the schedule, the label blend, how often out-of-fold scores are taken, and how
     * many models (seeds {@code training.seed()}, + 1, …) are trained per fold, their salience averaged.
     */
    public record Recipe(SalienceConfig model, TrainingConfig training, double softWeight, double teacherWeight,
            int evalEvery, int ensemble) {
        public Recipe {
            if (ensemble < 1) {
                throw new IllegalArgumentException("need at least one model per fold, got " + ensemble);
            }
        }
    }

    /** Mean out-of-fold ROUGE of summaries made at {@code step} with {@code rule}. */
    public record Cell(long step, SelectionRule rule, Rouge.Scores scores) {}

    /** Where the out-of-fold scores of one step go: article {@code j} of the fold gets {@code scores}. */
    private interface ScoreSink {
        void put(int j, double[] scores);
    }

    private CrossValidation() {}

    /** Trains one fold's model, handing the held-out articles' salience at each evaluation step to its sink. */
    private static double trainFold(Recipe recipe, TrainingConfig training, List<SalienceTraining.Example> train,
            List<SalienceTraining.Article> scored, LongFunction<ScoreSink> sinks) throws IOException {
        try (NDManager manager = NDManager.newBaseManager(Devices.pick())) {
            SentenceSalienceModel model = SalienceTraining.initialised(recipe.model(), training.seed(), manager);
            return SalienceTraining.fit(model, training, train, training.totalSteps(),
                    recipe.evalEvery(), step -> {
                        List<double[]> scores = SalienceTraining.salience(model, scored);
                        ScoreSink sink = sinks.apply(step);
                        for (int j = 0; j < scores.size(); j++) {
                            sink.put(j, scores.get(j));
                        }
                    });
        }
    }

    /** The fold of each of {@code articles} articles: a {@code seed}-shuffled order dealt round-robin into k folds. */
    public static int[] folds(int articles, int k, long seed) {
        if (k < 2 || k > articles) {
            throw new IllegalArgumentException("need 2 <= k <= articles, got k = " + k + " for " + articles);
        }
        List<Integer> order = new ArrayList<>(IntStream.range(0, articles).boxed().toList());
        Collections.shuffle(order, new Random(seed));
        int[] fold = new int[articles];
        for (int position = 0; position < articles; position++) {
            fold[order.get(position)] = position % k;
        }
        return fold;
    }

    /**
     * Out-of-fold salience: for each evaluation step, each article's salience from the model (or the mean over the
     * ensemble's models) of the fold that did not train on it (in {@code articles} order).
     */
    public static TreeMap<Long, List<double[]>> outOfFold(List<SalienceTraining.Article> articles, int[] fold, int k,
            Recipe recipe, PrintStream log) throws IOException {
        TreeMap<Long, List<double[]>> salience = new TreeMap<>();
        for (int f = 0; f < k; f++) {
            List<SalienceTraining.Example> train = new ArrayList<>();
            List<Integer> heldOut = new ArrayList<>();
            for (int i = 0; i < articles.size(); i++) {
                if (fold[i] == f) {
                    heldOut.add(i);
                } else {
                    train.add(SalienceTraining.example(articles.get(i), recipe.model(),
                            recipe.softWeight(), recipe.teacherWeight()));
                }
            }
            List<SalienceTraining.Article> scored = heldOut.stream().map(articles::get).toList();
            double seconds = 0;
            for (int member = 0; member < recipe.ensemble(); member++) {
                TrainingConfig training = recipe.training().withSeed(recipe.training().seed() + member);
                seconds += trainFold(recipe, training, train, scored, step -> {
                    List<double[]> all = salience.computeIfAbsent(step,
                            s -> new ArrayList<>(Collections.nCopies(articles.size(), null)));
                    return (j, scores) -> all.set(heldOut.get(j), add(all.get(heldOut.get(j)), scores));
                });
            }
            log.printf("  fold %d/%d: %d training articles, %d model(s), %.0f s%n", f + 1, k, train.size(),
                    recipe.ensemble(), seconds);
        }
        salience.values().forEach(all -> all.forEach(scores -> {
            for (int i = 0; i < scores.length; i++) {
                scores[i] /= recipe.ensemble();
            }
        }));
        return salience;
    }

    /** {@code sum + scores} elementwise; {@code scores} itself when nothing was summed yet. */
    private static double[] add(double[] sum, double[] scores) {
        if (sum == null) {
            return scores;
        }
        for (int i = 0; i < sum.length; i++) {
            sum[i] += scores[i];
        }
        return sum;
    }

    /**
     * Every (step, λ, lead prior) of the grid scored on all out-of-fold summaries. Many rules pick the same sentences,
     * so each article's ROUGE is computed once per distinct selection.
     */
    public static List<Cell> grid(List<SalienceTraining.Article> articles, TreeMap<Long, List<double[]>> salience) {
        List<Map<List<Integer>, Rouge.Scores>> scored = new ArrayList<>();
        articles.forEach(a -> scored.add(new HashMap<>()));
        SummaryBudget budget = SummaryBudget.sentences(SalienceTraining.SUMMARY_SENTENCES);
        List<Cell> cells = new ArrayList<>();
        salience.forEach((step, scores) -> {
            for (double prior : LEAD_PRIORS) {
                for (double lambda : LAMBDAS) {
                    SelectionRule rule = new SelectionRule(lambda, prior);
                    double r1 = 0;
                    double r2 = 0;
                    double rl = 0;
                    for (int d = 0; d < articles.size(); d++) {
                        EmbeddedDocument document = articles.get(d).document();
                        String reference = articles.get(d).reference();
                        Rouge.Scores s = scored.get(d).computeIfAbsent(
                                rule.select(document, scores.get(d), budget),
                                chosen -> Rouge.score(chosen.stream().map(document::sentence)
                                        .collect(Collectors.joining(" ")), reference));
                        r1 += s.rouge1();
                        r2 += s.rouge2();
                        rl += s.rougeL();
                    }
                    int n = articles.size();
                    cells.add(new Cell(step, rule, new Rouge.Scores(r1 / n, r2 / n, rl / n)));
                }
            }
        });
        return cells;
    }
}
