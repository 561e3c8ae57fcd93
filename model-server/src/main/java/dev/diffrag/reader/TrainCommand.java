package dev.diffrag.reader;

import dev.diffrag.model.AttentionKind;
import dev.diffrag.model.Devices;
import dev.diffrag.model.io.ModelFiles;
import dev.diffrag.model.train.TrainingConfig;
import dev.diffrag.reader.data.ReaderCorpus;
import dev.diffrag.reader.data.ReaderExample;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code reader train DATA}: builds the training data from the shared data folder, computes the frozen features once,
 * and trains each requested variant with the same data, seed and steps; each lands in {@code OUT/<variant>/} and a
 * summary in {@code OUT/training.json}.
 */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = "Train reader variants on NQ, cloze, unanswerable and long-context data (never xquad).")
final class TrainCommand implements Callable<Integer> {

    private static final Logger LOG = LoggerFactory.getLogger(TrainCommand.class);

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", description = "the shared data folder, e.g. ../shared/data")
    Path data;

    @Option(names = "--out", defaultValue = "model-server/target/reader-runs", description = "output folder")
    Path out;

    @Option(names = "--variants", split = ",", defaultValue = "diff-v1,vanilla,diff-v2,diff-v1-scratch",
            description = "diff-v1, diff-v2, vanilla (MiniLM features), the same with -bge (bge-small-en-v1.5 "
                    + "features), -bge-joint (bge-small-en-v1.5 features of each passage read after its question), -bge-tuned "
                    + "(bge-small-en-v1.5 with its top two layers fine-tuned with the reader), -bge-top4 (the mean of "
                    + "bge-small-en-v1.5's last four hidden states) or "
                    + "-scratch (token embeddings); one frozen encoder per command")
    List<String> variants;

    @Option(names = "--recipe", defaultValue = "standard",
            description = "training data: standard, wide (every essay and news passage, two cloze questions per "
                    + "passage), phrases (cloze questions also ask for common noun phrases), fronted (phrases, "
                    + "with cloze questions worded question word first, some words dropped and shuffled), typed (phrases, "
                    + "half the cloze questions also hiding a span of another kind) or long (phrases, every answerable "
                    + "example also among 9 distractors); the development examples are the same for all")
    String recipe;

    @Option(names = "--steps", defaultValue = "1500") int steps;
    @Option(names = "--warmup", defaultValue = "100") int warmup;
    @Option(names = "--lr", defaultValue = "1e-3") double learningRate;
    @Option(names = "--token-budget", defaultValue = "2048", description = "padded tokens per batch") int tokenBudget;
    @Option(names = "--d-model", defaultValue = "128") int dModel;
    @Option(names = "--layers", defaultValue = "2") int layers;
    @Option(names = "--head-dim", defaultValue = "32") int headDim;
    @Option(names = "--max-length", defaultValue = "4096") int maxLength;
    @Option(names = "--seed", defaultValue = "42") int seed;
    @Option(names = "--span-head", defaultValue = "LINEAR",
            description = "LINEAR (a linear map of each position) or BILINEAR (each position's state times the "
                    + "question's vector, as in DrQA)")
    ReaderConfig.SpanHead spanHead;
    @Option(names = "--dropout", defaultValue = "0",
            description = "share of the encoder's input and output states zeroed in training (0: none)")
    double dropout;
    @Option(names = "--max-minutes", defaultValue = "22", description = "wall-clock cap per variant")
    double maxMinutes;
    @Option(names = "--stop-after", defaultValue = "0",
            description = "stop each variant after this many updates of the --steps schedule (0: run it all)")
    int stopAfter;
    @Option(names = "--limit", defaultValue = "0",
            description = "use only this many training examples (0: all); every development example is used")
    int limit;
    @Option(names = "--threads", defaultValue = "1", description = "onnxruntime threads for the frozen encoder")
    int threads;

    @Override
    public Integer call() throws Exception {
        long started = System.nanoTime();
        List<ReaderConfig> configs = variants.stream().map(this::config).toList(); // a misspelt variant fails now
        TrainingConfig training = TrainingConfig.of(learningRate, warmup, steps, 1, seed); // and a bad schedule
        if (stopAfter > steps) {
            throw new IllegalArgumentException("--stop-after " + stopAfter + " is past the end of the --steps "
                    + steps + " schedule");
        }
        ReaderCorpus.Split split = ReaderCorpus.build(data, switch (recipe) {
            case "standard" -> ReaderCorpus.Recipe.standard();
            case "wide" -> ReaderCorpus.Recipe.wide();
            case "phrases" -> ReaderCorpus.Recipe.phrases();
            case "fronted" -> ReaderCorpus.Recipe.fronted();
            case "typed" -> ReaderCorpus.Recipe.typed();
            case "long" -> ReaderCorpus.Recipe.longInputs();
            default -> throw new IllegalArgumentException(
                    "unknown recipe " + recipe + " (standard, wide, phrases, fronted, typed or long)");
        }, seed);
        ReaderCorpus.Split used = limited(split, limit);
        List<ReaderExample> train = used.train();
        List<ReaderExample> dev = used.dev();
        LOG.info("{} training and {} development examples", train.size(), dev.size());
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("command", "reader " + String.join(" ",
                spec.commandLine().getParseResult().originalArgs()));
        summary.put("environment", Devices.ComputeEnvironment.of(Devices.pick()));
        List<ReaderTraining.Result> results = new ArrayList<>();
        try (ReaderFeaturizer featurizer = ReaderFeaturizer.sharedBy(configs, Long.MAX_VALUE, threads)) {
            long featuresStarted = System.nanoTime();
            ReaderTraining.precompute(train, featurizer);
            ReaderTraining.precompute(dev, featurizer);
            double featureSeconds = (System.nanoTime() - featuresStarted) / 1e9;
            LOG.info("{} in {} s", featurizer.input(), String.format("%.0f", featureSeconds));
            summary.put("featureSeconds", featureSeconds);
            List<ReaderTraining.Labelled> trainLabelled = ReaderTraining.label(train, featurizer);
            ReaderTraining.Dev devLabelled = ReaderTraining.labelDev(dev, featurizer);
            for (String variant : variants) {
                results.add(ReaderTraining.train(variant, config(variant), dropout, trainLabelled, devLabelled,
                        featurizer, training, tokenBudget, stopAfter > 0 ? stopAfter : steps, maxMinutes * 60,
                        out.resolve(variant)));
            }
        }
        summary.put("trainingExamples", train.size());
        summary.put("devExamples", dev.size());
        summary.put("totalSeconds", (System.nanoTime() - started) / 1e9);
        summary.put("results", results);
        ModelFiles.writeJson(out.resolve("training.json"), summary);
        LOG.info("wrote {}", out.resolve("training.json"));
        return 0;
    }

    /**
     * The first {@code limit} training examples (0: all) and every development example: the development set's first
     * 150 are all answerable, so a cut one would calibrate the abstention threshold without an unanswerable example.
     */
    static ReaderCorpus.Split limited(ReaderCorpus.Split split, int limit) {
        List<ReaderExample> train = limit > 0 ? split.train().subList(0, Math.min(limit, split.train().size()))
                : split.train();
        return new ReaderCorpus.Split(train, split.dev());
    }

    private ReaderConfig config(String variant) {
        String[] parts = variant.split("-(?=scratch$|bge$|bge-joint$|bge-tuned$|bge-top4$)", 2);
        AttentionKind attention = switch (parts[0]) {
            case "diff-v1" -> AttentionKind.DIFF_V1;
            case "diff-v2" -> AttentionKind.DIFF_V2;
            case "vanilla" -> AttentionKind.VANILLA;
            default -> throw new IllegalArgumentException("unknown variant " + variant);
        };
        ReaderConfig.Input input = parts.length == 1 ? ReaderConfig.Input.MINILM_FEATURES
                : parts[1].equals("bge") ? ReaderConfig.Input.BGE_SMALL_FEATURES
                : parts[1].equals("bge-joint") ? ReaderConfig.Input.BGE_SMALL_JOINT_FEATURES
                : parts[1].equals("bge-tuned") ? ReaderConfig.Input.BGE_SMALL_TUNED
                : parts[1].equals("bge-top4") ? ReaderConfig.Input.BGE_SMALL_TOP4_MEAN
                : ReaderConfig.Input.TOKEN_EMBEDDINGS;
        return ReaderConfig.of(attention, input, dModel, layers, headDim, maxLength).withSpanHead(spanHead);
    }

}
