package dev.diffrag.reader;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.NDList;
import dev.diffrag.answer.GroundedAnswer;
import dev.diffrag.answer.Passage;
import dev.diffrag.model.Devices;
import dev.diffrag.model.io.ModelFiles;
import dev.diffrag.model.train.Batch;
import dev.diffrag.model.train.ModelTrainer;
import dev.diffrag.model.train.ShuffledBatches;
import dev.diffrag.model.train.StepStats;
import dev.diffrag.model.train.TrainingConfig;
import dev.diffrag.reader.data.ReaderExample;
import dev.diffrag.reader.eval.SquadMetrics;
import dev.diffrag.reader.pretrained.PretrainedBert;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import me.tongfei.progressbar.ProgressBar;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Trains one reader on encoded examples, calibrates its abstention threshold on development examples and saves it.
 * Batches hold examples of similar length up to a token budget, so short single-passage examples are not padded to
 * the length of long multi-passage ones.
 */
public final class ReaderTraining {

    private static final Logger LOG = LoggerFactory.getLogger(ReaderTraining.class);

    /** An encoded example with its gold start and end positions (0, 0 when unanswerable). */
    record Labelled(ReaderFeaturizer.Encoded encoded, int start, int end) {}

    /** Development examples whose answer survived encoding, each beside its labelled encoding. */
    record Dev(List<ReaderExample> examples, List<Labelled> labelled) {}

    /**
     * A calibration and the development metrics at its threshold and answer-type weight; {@code f1ByAnswerTypeWeight}
     * is the development F1 at the threshold chosen for each weight tried.
     */
    public record Calibrated(Calibration calibration, Map<String, Double> dev, Map<String, Double> f1ByAnswerTypeWeight) {}

    /** The answer-type weights calibration tries ({@link SpanDecoder}); 0 is the plain decoder. */
    static final double[] ANSWER_TYPE_WEIGHTS = {0, 0.5, 1, 1.5, 2, 3, 4, 6, 9};

    /** What a finished run measured. */
    public record Result(String variant, long parameters, int steps, double seconds, double firstLoss,
            double finalLoss, Calibration calibration, Map<String, Double> dev) {}

    private ReaderTraining() {}

    /** The development examples that {@link #label} keeps, in order, with their labels. */
    static Dev labelDev(List<ReaderExample> examples, ReaderFeaturizer featurizer) {
        List<ReaderExample> kept = new ArrayList<>();
        List<Labelled> labelled = new ArrayList<>();
        for (ReaderExample example : examples) {
            List<Labelled> one = label(List.of(example), featurizer);
            if (!one.isEmpty()) {
                kept.add(example);
                labelled.add(one.get(0));
            }
        }
        return new Dev(kept, labelled);
    }

    /**
     * Reads the development examples with {@code model} and chooses its answer-type weight and threshold there: for
     * each weight of {@link #ANSWER_TYPE_WEIGHTS} the threshold {@link #calibrate} picks, then the weight whose
     * threshold comes closest to the targets and then reads best (ties keep the smaller weight).
     */
    static Calibrated calibrateOnDev(ReaderModel model, ReaderFeaturizer featurizer, Dev dev, NDManager manager) {
        SpanPredictor predictor = new SpanPredictor(model, featurizer, manager);
        List<ReaderFeaturizer.Encoded> encoded = dev.labelled().stream().map(Labelled::encoded).toList();
        List<SpanPredictor.Scores> scores = predictor.scores(encoded);
        Calibration best = null;
        List<SpanDecoder.Span> bestSpans = null;
        Map<String, Double> f1ByWeight = new LinkedHashMap<>();
        for (double weight : ANSWER_TYPE_WEIGHTS) {
            List<SpanDecoder.Span> spans = predictor.decode(encoded, scores, weight);
            Calibration calibration = calibrate(dev.examples(), dev.labelled(), spans, weight);
            f1ByWeight.put(Double.toString(weight), calibration.devF1());
            if (best == null || Operating.of(calibration).betterThan(Operating.of(best))) {
                best = calibration;
                bestSpans = spans;
            }
        }
        return new Calibrated(best, devMetrics(dev.examples(), dev.labelled(), bestSpans, best.abstainThreshold()),
                f1ByWeight);
    }

    /** Encodes examples and places their answers on sequence positions; examples whose answer was cut are dropped. */
    static List<Labelled> label(List<ReaderExample> examples, ReaderFeaturizer featurizer) {
        List<Labelled> labelled = new ArrayList<>(examples.size());
        for (ReaderExample example : examples) {
            ReaderFeaturizer.Encoded encoded = featurizer.encode(example.question(), example.passages());
            if (!example.answerable()) {
                labelled.add(new Labelled(encoded, 0, 0));
                continue;
            }
            int[] tokens = tokenSpan(encoded.passageTokens().get(example.answerPassage()), example.answerStart(),
                    example.answerEnd());
            int start = tokens == null ? -1 : encoded.sequence().position(example.answerPassage(), tokens[0]);
            int end = tokens == null ? -1 : encoded.sequence().position(example.answerPassage(), tokens[1]);
            if (start > 0 && end >= start) {
                labelled.add(new Labelled(encoded, start, end));
            }
        }
        return labelled;
    }

    /** First and last token overlapping the character span {@code [start, end)}, or null when none does. */
    static int[] tokenSpan(ReaderTokenizer.Tokens tokens, int start, int end) {
        int first = -1;
        int last = -1;
        for (int i = 0; i < tokens.size(); i++) {
            if (tokens.end()[i] > start && tokens.start()[i] < end) {
                if (first < 0) {
                    first = i;
                }
                last = i;
            }
        }
        return first < 0 ? null : new int[] {first, last};
    }

    /** Groups of similar length whose padded size stays within {@code tokenBudget}. */
    static List<List<Labelled>> groups(List<Labelled> examples, int tokenBudget, long seed) {
        List<Labelled> sorted = new ArrayList<>(examples);
        Collections.shuffle(sorted, new Random(seed));
        sorted.sort(Comparator.comparingInt(l -> l.encoded().sequence().length()));
        List<List<Labelled>> groups = new ArrayList<>();
        List<Labelled> group = new ArrayList<>();
        for (Labelled example : sorted) {
            int longest = example.encoded().sequence().length(); // sorted: the newest is the longest
            if (!group.isEmpty() && (group.size() + 1) * longest > tokenBudget) {
                groups.add(group);
                group = new ArrayList<>();
            }
            group.add(example);
        }
        if (!group.isEmpty()) {
            groups.add(group);
        }
        return groups;
    }

    static Batch collate(List<Labelled> group, ReaderFeaturizer featurizer, ReaderConfig.Input input,
            NDManager manager) {
        NDList inputs = featurizer.inputs(group.stream().map(Labelled::encoded).toList(), input, manager);
        int length = Math.toIntExact(inputs.get(1).getShape().get(1));
        int[] start = new int[group.size()];
        int[] end = new int[group.size()];
        float[] allowed = new float[group.size() * length];
        for (int b = 0; b < group.size(); b++) {
            start[b] = group.get(b).start();
            end[b] = group.get(b).end();
            boolean[] answerable = group.get(b).encoded().sequence().answerable();
            for (int t = 0; t < answerable.length; t++) {
                allowed[b * length + t] = answerable[t] ? 1 : 0;
            }
        }
        return new Batch(inputs, new NDList(manager.create(start), manager.create(end),
                manager.create(allowed, new Shape(group.size(), length))));
    }

    /**
     * Trains {@code config} up to update {@code lastStep} of the schedule or until {@code maxSeconds} have passed
     * (whichever comes first), calibrates on {@code dev}, saves to {@code output}.
     *
     * @param variant a name for logs, e.g. diff-v1
     */
    static Result train(String variant, ReaderConfig config, double dropout, List<Labelled> train, Dev dev,
            ReaderFeaturizer featurizer, TrainingConfig training, int tokenBudget, int lastStep, double maxSeconds,
            Path output) throws IOException {
        ModelTrainer.seed(training.seed());
        try (NDManager manager = NDManager.newBaseManager(Devices.pick())) {
            ReaderModel model = new ReaderModel(config, dropout);
            model.initialize(manager, DataType.FLOAT32, new Shape(1, 1), new Shape(1, 1), new Shape(1, 1));
            if (config.input().tunedLayers() > 0) {
                try (PretrainedBert pretrained = PretrainedBert.load(config.input().onnxResource(), Devices.pick())) {
                    model.initialiseTunedLayers(pretrained);
                }
            }
            LOG.info("{}: {} parameters, {} training examples", variant, model.parameterCount(), train.size());
            List<List<Labelled>> groups = groups(train, tokenBudget, training.seed());
            ShuffledBatches<List<Labelled>> batches = new ShuffledBatches<>(groups, 1, training.seed(),
                    (picked, m) -> collate(picked.get(0), featurizer, config.input(), m));
            long started = System.nanoTime();
            List<StepStats> history = new ArrayList<>();
            try (ModelTrainer trainer = new ModelTrainer(model, model.namedParameters(), config, training, batches,
                    new SpanLoss(), ReaderModel::learningRateScale)) {
                // A wall-clock cap protects the shared CPU's budget; the run reports how many steps it took.
                while (trainer.step() < lastStep && System.nanoTime() - started < maxSeconds * 1e9) {
                    history.addAll(trainer.trainUntil(Math.min(lastStep, trainer.step() + 25), null));
                }
            }
            double seconds = (System.nanoTime() - started) / 1e9;
            // Calibrated as saved: the float16 weights move every confidence a little, and the threshold is one.
            ReaderCheckpoint.saveWeights(output, model);
            Calibrated calibrated = calibrateOnDev(ReaderCheckpoint.loadModel(output, manager, DataType.FLOAT32),
                    featurizer, dev, manager);
            Calibration calibration = calibrated.calibration();
            Map<String, Double> devMetrics = calibrated.dev();
            ModelFiles.writeJson(output.resolve(Calibration.FILE), calibration);
            double first = average(history.subList(0, Math.min(20, history.size())));
            double last = average(history.subList(Math.max(0, history.size() - 20), history.size()));
            LOG.info("{}: {} steps in {} s, loss {} -> {}, threshold {}, dev {}", variant, history.size(),
                    String.format("%.0f", seconds), String.format("%.3f", first), String.format("%.3f", last),
                    String.format("%.3f", calibration.abstainThreshold()), devMetrics);
            return new Result(variant, model.parameterCount(), history.size(), seconds, first, last, calibration,
                    devMetrics);
        }
    }

    private static double average(List<StepStats> stats) {
        return stats.stream().mapToDouble(StepStats::loss).average().orElse(Double.NaN);
    }

    /** The targets: abstain on at least this share of unanswerable inputs … */
    static final double ABSTAIN_TARGET = 0.8;
    /** … while answering at least this share of answerable ones. */
    static final double ANSWER_TARGET = 0.9;

    /** Development rates and F1 at one threshold. */
    record Operating(double threshold, double f1, double answerRate, double abstainRate) {
        static Operating of(Calibration calibration) {
            return new Operating(calibration.abstainThreshold(), calibration.devF1(), calibration.devAnswerRate(),
                    calibration.devAbstainRate());
        }

        /** Closer to both targets, or as close and a higher F1. */
        boolean betterThan(Operating other) {
            return targetShare() > other.targetShare() + 1e-12
                    || (targetShare() > other.targetShare() - 1e-12 && f1 > other.f1 + 1e-12);
        }

        boolean meetsTargets() {
            return abstainRate >= ABSTAIN_TARGET && answerRate >= ANSWER_TARGET;
        }

        /** How close to both targets: 1 when both are met, the smaller of the two ratios otherwise. */
        double targetShare() {
            return Math.min(1, Math.min(abstainRate / ABSTAIN_TARGET, answerRate / ANSWER_TARGET));
        }
    }

    /**
     * The threshold for the targets: among the thresholds that abstain on ≥ {@value #ABSTAIN_TARGET} of
     * unanswerable development examples and answer ≥ {@value #ANSWER_TARGET} of answerable ones, the one with the
     * highest F1 on the answerable ones; when no threshold meets both, the one that comes closest (highest
     * {@link Operating#targetShare()}), then highest F1. Candidates are 0 and the observed confidences; ties keep
     * the lowest threshold. Both kinds of example must be present: a rate over none would count as 0 and miss its
     * target at every threshold.
     */
    static Calibration calibrate(List<ReaderExample> examples, List<Labelled> labelled, List<SpanDecoder.Span> spans,
            double answerTypeWeight) {
        long answerable = examples.stream().filter(ReaderExample::answerable).count();
        if (answerable == 0 || answerable == examples.size()) {
            throw new IllegalArgumentException("cannot calibrate the abstention threshold on " + answerable
                    + " answerable and " + (examples.size() - answerable) + " unanswerable development examples: "
                    + "it needs both kinds");
        }
        List<Double> candidates = new ArrayList<>();
        candidates.add(0.0);
        spans.forEach(s -> candidates.add(s.confidence()));
        Collections.sort(candidates);
        Operating best = null;
        for (double threshold : candidates) {
            Operating operating = operating(examples, labelled, spans, threshold);
            if (best == null || operating.betterThan(best)) {
                best = operating;
            }
        }
        return new Calibration(best.threshold(), answerTypeWeight, "Natural Questions (open) development split "
                + "(answerable, unanswerable and long-context examples): highest answerable F1 with abstention >= "
                + ABSTAIN_TARGET + " on unanswerable and answer rate >= " + ANSWER_TARGET + " on answerable, else "
                + "closest to both; answer-type weight from " + Arrays.toString(ANSWER_TYPE_WEIGHTS) + " by the same "
                + "rule", best.f1(), best.answerRate(), best.abstainRate());
    }

    static Operating operating(List<ReaderExample> examples, List<Labelled> labelled, List<SpanDecoder.Span> spans,
            double threshold) {
        double f1 = 0;
        int answerable = 0;
        int answered = 0;
        int abstained = 0;
        for (int i = 0; i < spans.size(); i++) {
            GroundedAnswer answer = DiffReaderAnswerer.toAnswer(examples.get(i).passages(), labelled.get(i).encoded(),
                    spans.get(i), threshold);
            if (examples.get(i).answerable()) {
                answerable++;
                answered += answer.abstained() ? 0 : 1;
                f1 += answer.abstained() ? 0 : SquadMetrics.f1(answer.answer(), examples.get(i).answers());
            } else {
                abstained += answer.abstained() ? 1 : 0;
            }
        }
        int unanswerable = spans.size() - answerable;
        return new Operating(threshold, 100 * f1 / Math.max(1, answerable), answered / (double) Math.max(1, answerable),
                abstained / (double) Math.max(1, unanswerable));
    }

    /** F1 on answerable single- and multi-passage examples, abstention on unanswerable ones. */
    private static Map<String, Double> devMetrics(List<ReaderExample> examples, List<Labelled> labelled,
            List<SpanDecoder.Span> spans, double threshold) {
        double[] sum = new double[5];
        int[] count = new int[5];
        for (int i = 0; i < spans.size(); i++) {
            ReaderExample example = examples.get(i);
            GroundedAnswer answer = DiffReaderAnswerer.toAnswer(example.passages(), labelled.get(i).encoded(),
                    spans.get(i), threshold);
            int kind = !example.answerable() ? 2 : example.passages().size() == 1 ? 0 : 1;
            count[kind]++;
            if (example.answerable()) {
                // F1 of the best span whether or not it is withheld: the reading skill apart from abstention.
                GroundedAnswer best = DiffReaderAnswerer.toAnswer(example.passages(), labelled.get(i).encoded(),
                        spans.get(i), 0);
                sum[kind] += best.abstained() ? 0 : SquadMetrics.f1(best.answer(), example.answers());
                sum[kind + 3] += answer.abstained() ? 0 : 1;
                count[kind + 3]++;
            } else {
                sum[kind] += answer.abstained() ? 1 : 0;
            }
        }
        Map<String, Double> metrics = new LinkedHashMap<>();
        metrics.put("f1Single", 100 * sum[0] / Math.max(1, count[0]));
        metrics.put("f1Long", 100 * sum[1] / Math.max(1, count[1]));
        metrics.put("abstainUnanswerable", sum[2] / Math.max(1, count[2]));
        metrics.put("answerRateSingle", sum[3] / Math.max(1, count[3]));
        metrics.put("answerRateLong", sum[4] / Math.max(1, count[4]));
        return metrics;
    }

    /** Computes the frozen features of every example's question and passages, with a progress bar. */
    static void precompute(List<ReaderExample> examples, ReaderFeaturizer featurizer) {
        List<ReaderFeaturizer.Texts> inputs = examples.stream().map(e -> new ReaderFeaturizer.Texts(e.question(),
                e.passages().stream().map(Passage::text).toList())).toList();
        int slice = 64;
        try (ProgressBar bar = new ProgressBar("frozen features", inputs.size())) {
            for (int from = 0; from < inputs.size(); from += slice) {
                List<ReaderFeaturizer.Texts> part = inputs.subList(from, Math.min(inputs.size(), from + slice));
                featurizer.precompute(part);
                bar.stepBy(part.size());
            }
        }
    }
}
