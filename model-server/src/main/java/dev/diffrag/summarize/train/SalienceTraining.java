package dev.diffrag.summarize.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import dev.diffrag.model.Scalars;
import dev.diffrag.model.train.Batch;
import dev.diffrag.model.train.ModelTrainer;
import dev.diffrag.model.train.Objective;
import dev.diffrag.model.train.ShuffledBatches;
import dev.diffrag.model.train.TrainingConfig;
import dev.diffrag.summarize.EmbeddedDocument;
import dev.diffrag.summarize.SalienceConfig;
import dev.diffrag.summarize.SelectionRule;
import dev.diffrag.summarize.SentenceSalienceModel;
import dev.diffrag.summarize.eval.OracleLabels;
import dev.diffrag.summarize.eval.Rouge;
import java.io.IOException;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * Trains a {@link SentenceSalienceModel} on extractive labels: per sentence, binary cross-entropy against a target in
 * [0, 1] that mixes "the greedy ROUGE oracle picks it" with the sentence's own ROUGE gain ({@link #example}). Which
 * step, labels and {@link SelectionRule} to ship is chosen by {@link CrossValidation} over the train and dev parts;
 * the test part is never seen here.
 */
public final class SalienceTraining {

    /** Sentences per summary, as LEAD-3 and the oracle. */
    public static final int SUMMARY_SENTENCES = 3;

    /** One document: its sentence inputs (truncated to the model's reach) and targets in [0, 1]. */
    public record Example(float[][] sentences, float[] labels) {}

    /**
     * An article with its reference summary and, optionally, a teacher: a published system's summary of it (null when
     * none), whose own oracle labels can be blended into the targets.
     */
    public record Article(EmbeddedDocument document, String reference, String teacherSummary) {}

    /** Called each time training reaches an evaluation step. */
    @FunctionalInterface
    public interface StepListener {
        void reached(long step) throws IOException;
    }

    private SalienceTraining() {}

    /**
     * Targets {@code (1 − teacherWeight)·[(1 − softWeight)·oracle + softWeight·soft] + teacherWeight·teacher}: the
     * greedy oracle's 0/1 labels ({@link OracleLabels#greedy}) blended with the graded per-sentence gains ({@link
     * OracleLabels#soft}), and with the greedy oracle's labels against the teacher's summary, the sentences that
     * system's content selection points to (distillation from a system trained on far more articles).
     */
    public static Example example(Article article, SalienceConfig config, double softWeight, double teacherWeight) {
        if (teacherWeight > 0 && article.teacherSummary() == null) {
            throw new IllegalArgumentException("teacher weight " + teacherWeight + " needs a teacher summary");
        }
        EmbeddedDocument document = article.document();
        float[][] inputs = config.inputs(document);
        int length = inputs.length;
        List<String> sentences = IntStream.range(0, length).mapToObj(document::sentence).toList();
        float[] labels = OracleLabels.soft(sentences, article.reference());
        for (int i = 0; i < length; i++) {
            labels[i] *= (float) (softWeight * (1 - teacherWeight));
        }
        OracleLabels.greedy(sentences, article.reference(), SUMMARY_SENTENCES)
                .forEach(i -> labels[i] += (float) ((1 - softWeight) * (1 - teacherWeight)));
        if (teacherWeight > 0) {
            OracleLabels.greedy(sentences, article.teacherSummary(), SUMMARY_SENTENCES)
                    .forEach(i -> labels[i] += (float) teacherWeight);
        }
        return new Example(inputs, labels);
    }

    /** Masked binary cross-entropy with logits: labels = [targets (B, T), mask (B, T)]. */
    public static final Objective MASKED_BCE = (predictions, labels) -> {
        NDArray logits = predictions.head();  // (B, T)
        NDArray targets = labels.get(0);      // (B, T)
        NDArray mask = labels.get(1);         // (B, T)
        // log(1 + e^z) − y·z, computed stably as max(z, 0) + log(1 + e^−|z|) − y·z
        NDArray softplus = Scalars.maximum(logits, 0).add(logits.abs().neg().exp().add(1).log());
        NDArray perSentence = softplus.sub(targets.mul(logits));
        return perSentence.mul(mask).sum().div(mask.sum());
    };

    /**
     * Trains {@code model} (initialised, seeded) on {@code train} up to {@code stopAt} updates of {@code config}'s
     * schedule (so a run stopped early keeps the learning-rate curve of the full schedule), telling {@code listener}
     * after every {@code evalEvery} updates and at the end.
     *
     * @return training seconds
     */
    public static double fit(SentenceSalienceModel model, TrainingConfig config, List<Example> train, long stopAt,
            int evalEvery, StepListener listener) throws IOException {
        if (stopAt < 1 || stopAt > config.totalSteps() || evalEvery < 1) {
            throw new IllegalArgumentException("need 1 <= stopAt <= totalSteps and evalEvery >= 1");
        }
        ShuffledBatches<Example> batches = new ShuffledBatches<>(train, config,
                (picked, manager) -> collate(model, picked, manager));
        long started = System.nanoTime();
        try (ModelTrainer trainer = new ModelTrainer(model, model.namedParameters(), model.config(), config, batches,
                MASKED_BCE)) {
            while (trainer.step() < stopAt) {
                trainer.trainUntil(Math.min(stopAt, trainer.step() + evalEvery), null);
                listener.reached(trainer.step());
            }
        }
        return (System.nanoTime() - started) / 1e9;
    }

    /** A freshly initialised model, its initialisation drawn from {@code seed}. */
    public static SentenceSalienceModel initialised(SalienceConfig config, int seed, NDManager manager) {
        ModelTrainer.seed(seed);
        SentenceSalienceModel model = new SentenceSalienceModel(config);
        model.initialize(manager, DataType.FLOAT32, new Shape(1, 1, config.inputDim()));
        return model;
    }

    /** Salience of the articles' sentences under the model's current weights. */
    public static List<double[]> salience(SentenceSalienceModel model, List<Article> articles) {
        ParameterStore ps = new ParameterStore(model.namedParameters().values().iterator().next().getArray()
                .getManager(), false);
        return model.salience(ps, articles.stream().map(Article::document).toList());
    }

    /** Mean ROUGE of the first {@link #SUMMARY_SENTENCES} sentences, for reference. */
    public static Rouge.Scores lead(List<Article> articles) {
        return Rouge.mean(articles.stream().map(a -> IntStream.range(0,
                                Math.min(SUMMARY_SENTENCES, a.document().sentences().size()))
                        .mapToObj(a.document()::sentence).collect(Collectors.joining(" "))).toList(),
                references(articles));
    }

    public static List<String> references(List<Article> articles) {
        return articles.stream().map(Article::reference).toList();
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
