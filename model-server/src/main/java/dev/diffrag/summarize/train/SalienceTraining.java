package dev.diffrag.summarize.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import dev.diffrag.model.io.ModelFiles;
import dev.diffrag.model.io.SafeTensors;
import dev.diffrag.model.train.Batch;
import dev.diffrag.model.train.ModelTrainer;
import dev.diffrag.model.train.Objective;
import dev.diffrag.model.train.ShuffledBatches;
import dev.diffrag.model.train.TrainingConfig;
import dev.diffrag.summarize.EmbeddedDocument;
import dev.diffrag.summarize.MmrSelector;
import dev.diffrag.summarize.SalienceConfig;
import dev.diffrag.summarize.SentenceSalienceModel;
import dev.diffrag.summarize.SummaryBudget;
import dev.diffrag.summarize.eval.OracleLabels;
import dev.diffrag.summarize.eval.Rouge;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * Trains a {@link SentenceSalienceModel} on oracle extractive labels: per sentence, binary cross-entropy against
 * "the greedy ROUGE oracle picks it". Every {@code evalEvery} steps the model summarizes the dev articles (MMR, a
 * grid of λ, {@link #SUMMARY_SENTENCES} sentences) and the best step and λ by dev ROUGE-1 + ROUGE-2 + ROUGE-L are saved:
 * dev is the only data that chooses anything, the test part is never seen here.
 */
public final class SalienceTraining {

    /** Sentences per summary, as LEAD-3 and the oracle. */
    public static final int SUMMARY_SENTENCES = 3;
    /** The MMR salience weights tried on dev. */
    public static final List<Double> LAMBDAS = List.of(0.6, 0.7, 0.8, 0.9, 1.0);

    /** One document: its sentence embeddings (truncated to the model's reach) and 0/1 oracle labels. */
    public record Example(float[][] sentences, float[] labels) {}

    /** A labelled article for dev scoring. */
    public record DevArticle(EmbeddedDocument document, String reference) {}

    /** What a run chose on dev. */
    public record Outcome(long bestStep, double mmrLambda, Rouge.Scores devScores, double seconds) {}

    private SalienceTraining() {}

    public static Example example(EmbeddedDocument document, String reference, int maxSentences) {
        int length = Math.min(document.sentences().size(), maxSentences);
        List<String> sentences = IntStream.range(0, length).mapToObj(document::sentence).toList();
        float[] labels = new float[length];
        OracleLabels.greedy(sentences, reference, SUMMARY_SENTENCES).forEach(i -> labels[i] = 1);
        float[][] vectors = new float[length][];
        System.arraycopy(document.embeddings(), 0, vectors, 0, length);
        return new Example(vectors, labels);
    }

    /** Masked binary cross-entropy with logits: labels = [targets (B, T), mask (B, T)]. */
    public static final Objective MASKED_BCE = (predictions, labels) -> {
        NDArray logits = predictions.head();  // (B, T)
        NDArray targets = labels.get(0);      // (B, T)
        NDArray mask = labels.get(1);         // (B, T)
        // log(1 + e^z) − y·z, computed stably as max(z, 0) + log(1 + e^−|z|) − y·z
        NDArray softplus = logits.maximum(0).add(logits.abs().neg().exp().add(1).log());
        NDArray perSentence = softplus.sub(targets.mul(logits));
        return perSentence.mul(mask).sum().div(mask.sum());
    };

    /**
     * Trains {@code model} (initialised, seeded) and writes the best dev checkpoint to {@code output} as a loadable
     * model directory whose config carries the chosen λ.
     */
    public static Outcome train(SentenceSalienceModel model, TrainingConfig config, List<Example> train,
            List<DevArticle> dev, int evalEvery, Path output, PrintStream log) throws IOException {
        ShuffledBatches<Example> batches = new ShuffledBatches<>(train, config,
                (picked, manager) -> collate(model, picked, manager));
        long started = System.nanoTime();
        long bestStep = -1;
        double bestLambda = Double.NaN;
        Rouge.Scores bestScores = null;
        double bestTotal = Double.NEGATIVE_INFINITY;
        Rouge.Scores lead = Rouge.mean(dev.stream().map(a -> IntStream.range(0,
                        Math.min(SUMMARY_SENTENCES, a.document().sentences().size()))
                        .mapToObj(a.document()::sentence).collect(Collectors.joining(" "))).toList(),
                dev.stream().map(DevArticle::reference).toList());
        log.printf("dev LEAD-3 for reference: R1 %.2f R2 %.2f RL %.2f%n", 100 * lead.rouge1(), 100 * lead.rouge2(),
                100 * lead.rougeL());
        try (ModelTrainer trainer = new ModelTrainer(model, model.namedParameters(), model.config(), config, batches,
                MASKED_BCE)) {
            ParameterStore ps = new ParameterStore(model.namedParameters().values().iterator().next().getArray()
                    .getManager(), false);
            while (trainer.step() < config.totalSteps()) {
                trainer.trainUntil(Math.min(config.totalSteps(), trainer.step() + evalEvery), null);
                List<double[]> salience = model.salience(ps,
                        dev.stream().map(a -> a.document().embeddings()).toList());
                for (double lambda : LAMBDAS) {
                    Rouge.Scores scores = score(dev, salience, new MmrSelector(lambda));
                    double total = scores.rouge1() + scores.rouge2() + scores.rougeL();
                    if (total > bestTotal) {
                        bestTotal = total;
                        bestStep = trainer.step();
                        bestLambda = lambda;
                        bestScores = scores;
                        SalienceConfig chosen = new SalienceConfig(model.config().encoder(),
                                model.config().embeddingDim(), lambda);
                        ModelFiles.save(output, chosen, model.namedParameters(), SafeTensors.Dtype.F32);
                    }
                }
                log.printf("step %d: dev best so far R1 %.2f R2 %.2f RL %.2f at step %d, lambda %.1f%n",
                        trainer.step(), 100 * bestScores.rouge1(), 100 * bestScores.rouge2(),
                        100 * bestScores.rougeL(), bestStep, bestLambda);
            }
        }
        return new Outcome(bestStep, bestLambda, bestScores, (System.nanoTime() - started) / 1e9);
    }

    /** Mean ROUGE of MMR summaries of the dev articles. */
    static Rouge.Scores score(List<DevArticle> dev, List<double[]> salience, MmrSelector selector) {
        List<String> candidates = new ArrayList<>(dev.size());
        for (int d = 0; d < dev.size(); d++) {
            EmbeddedDocument document = dev.get(d).document();
            double[] scores = salience.get(d);
            List<MmrSelector.Candidate> candidatesOfDocument = IntStream.range(0, scores.length)
                    .mapToObj(s -> new MmrSelector.Candidate(scores[s], document.embeddings()[s],
                            SummaryBudget.tokens(document.sentence(s))))
                    .toList();
            candidates.add(selector.select(candidatesOfDocument, SummaryBudget.sentences(SUMMARY_SENTENCES)).stream()
                    .map(document::sentence).collect(Collectors.joining(" ")));
        }
        return Rouge.mean(candidates, dev.stream().map(DevArticle::reference).toList());
    }

    /** [embeddings (B, T, E), mask (B, T)] and [targets (B, T), mask (B, T)], padded to the longest document. */
    static Batch collate(SentenceSalienceModel model, List<Example> examples, NDManager manager) {
        int length = examples.stream().mapToInt(e -> e.labels().length).max().orElse(1);
        NDList inputs = model.batch(examples.stream().map(Example::sentences).toList(), length, manager);
        float[] targets = new float[examples.size() * length];
        for (int b = 0; b < examples.size(); b++) {
            float[] labels = examples.get(b).labels();
            System.arraycopy(labels, 0, targets, b * length, labels.length);
        }
        NDArray mask = inputs.get(1);
        return new Batch(inputs, new NDList(manager.create(targets, new Shape(examples.size(), length)), mask));
    }
}
