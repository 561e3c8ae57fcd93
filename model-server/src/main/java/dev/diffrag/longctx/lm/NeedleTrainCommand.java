package dev.diffrag.longctx.lm;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import dev.diffrag.longctx.KvRetrieval;
import dev.diffrag.longctx.NeedleTask;
import dev.diffrag.model.Devices;
import dev.diffrag.model.DiffTransformer;
import dev.diffrag.model.ModelConfig;
import dev.diffrag.model.io.ModelCheckpoint;
import dev.diffrag.model.io.ModelFiles;
import dev.diffrag.model.io.SafeTensors;
import dev.diffrag.model.train.BatchSource;
import dev.diffrag.model.train.ModelTrainer;
import dev.diffrag.model.train.StepStats;
import dev.diffrag.model.train.TokenCrossEntropy;
import dev.diffrag.model.train.TrainingConfig;
import dev.diffrag.reader.ReaderTokenizer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code needle train DATA}: trains each requested model, one after the other, on the same generated batches (same
 * seed, same steps), and writes {@code OUT/<model>/} (config.json, float16 model.safetensors, training.json).
 * kv-retrieval records 0..{@value #KV_TRAIN_RECORDS}−1 are training data; the rest are kept for the report.
 */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = "Train diff-v1 / diff-v2 / vanilla retrieval LMs on generated needle and kv-retrieval data.")
final class NeedleTrainCommand implements Callable<Integer> {

    private static final Logger LOG = LoggerFactory.getLogger(NeedleTrainCommand.class);
    static final int KV_TRAIN_RECORDS = 400;

    @Parameters(index = "0", description = "the shared data folder, e.g. ../shared/data")
    Path data;

    @Option(names = "--out", defaultValue = "model-server/target/needle-runs", description = "output folder")
    Path out;

    @Option(names = "--models", split = ",", defaultValue = "diff-v1,diff-v2,vanilla") List<String> models;
    @Option(names = "--head", defaultValue = "lm",
            description = "lm: write the answer through the LM head; pointer: point at it in the context")
    String head;
    @Option(names = "--steps", defaultValue = "600") int steps;
    @Option(names = "--warmup", defaultValue = "30") int warmup;
    @Option(names = "--lr", defaultValue = "2e-3") double learningRate;
    @Option(names = "--d-model", defaultValue = "128") int dModel;
    @Option(names = "--layers", defaultValue = "2") int layers;
    @Option(names = "--head-dim", defaultValue = "32") int headDim;
    @Option(names = "--max-length", defaultValue = "4608") int maxLength;
    @Option(names = "--batch-tokens", defaultValue = "1024") int batchTokens;
    @Option(names = "--lengths", split = ",", defaultValue = "64,128,256,512",
            description = "needle context lengths (MiniLM tokens) drawn per step") List<Integer> lengths;
    @Option(names = "--length-weights", split = ",", defaultValue = "0.25,0.35,0.25,0.15") List<Double> lengthWeights;
    @Option(names = "--kv-share", defaultValue = "0.2", description = "share of kv-retrieval steps") double kvShare;
    @Option(names = "--kv-pairs", split = ",", defaultValue = "2,6",
            description = "fewest and most key-value pairs in a training window") List<Integer> kvPairs;
    @Option(names = "--seed", defaultValue = "42") int seed;
    @Option(names = "--stop-after", defaultValue = "0",
            description = "stop each model after this many updates of the --steps schedule (0: run it all)")
    int stopAfter;
    @Option(names = "--max-minutes", defaultValue = "15",
            description = "wall-clock cap per model; a model stopped early is saved and its steps recorded")
    double maxMinutes;

    /** What training.json records beside each checkpoint. */
    record Summary(String model, String head, ModelConfig config, long parameters, TrainingConfig training, TrainingMix mix,
                   int stepsPlanned, long stepsDone, double trainSeconds, double firstLoss, double lastLoss,
                   String stoppedBy, List<double[]> lossCurve, String command, Devices.ComputeEnvironment environment) {}

    @Override
    public Integer call() throws Exception {
        RetrievalHead answerHead = RetrievalHead.parse(head);
        if (kvPairs.size() != 2) {
            throw new IllegalArgumentException("--kv-pairs takes MIN,MAX, got " + kvPairs);
        }
        models.forEach(Variants::kind); // a misspelt model fails now, not after the ones before it trained
        TrainingMix mix = new TrainingMix(lengths, lengthWeights, 6, kvShare, kvPairs.get(0), kvPairs.get(1),
                batchTokens);
        TrainingConfig training = TrainingConfig.of(learningRate, warmup, steps, 1, seed);
        try (ReaderTokenizer tokenizer = new ReaderTokenizer()) {
            NeedleTask task = NeedleTask.fromDirectory(data.resolve("longctx/paul-graham-essays"), tokenizer);
            List<KvRetrieval.Example> kv = kvTrainingRecords(data);
            if (kvShare > 0) {
                KvWindow.requireFits(kv, kvPairs);
            }
            for (String name : models) {
                ModelConfig config = ModelConfig.of(Variants.kind(name), dModel, layers, headDim, true,
                        ReaderTokenizer.VOCAB_SIZE, maxLength, false);
                RetrievalBatches batches = new RetrievalBatches(task, kv, tokenizer, mix, seed);
                train(name, answerHead, config, training, mix, batches);
            }
        }
        return 0;
    }

    private void train(String name, RetrievalHead answerHead, ModelConfig config, TrainingConfig training,
                       TrainingMix mix, RetrievalBatches batches) throws Exception {
        ModelTrainer.seed(training.seed());
        try (NDManager manager = NDManager.newBaseManager()) {
            AnswerPointer pointer = answerHead == RetrievalHead.POINTER ? AnswerPointer.create(config, manager) : null;
            DiffTransformer model = pointer != null ? pointer.model() : new DiffTransformer(config);
            if (pointer == null) {
                model.initialize(manager, DataType.FLOAT32, new Shape(1, 1));
            }
            Map<String, Parameter> parameters = pointer != null ? pointer.namedParameters() : model.namedParameters();
            long parameterCount = parameters.values().stream().mapToLong(p -> p.getShape().size()).sum();
            LOG.info("{} ({} head): {} parameters, {}", name, answerHead.option(), parameterCount, config);
            List<StepStats> history = new ArrayList<>();
            long started = System.nanoTime();
            double seconds;
            long stepsDone;
            int lastStep = stopAfter > 0 ? Math.min(stopAfter, steps) : steps;
            String stoppedBy = "steps";
            Block block = pointer != null ? pointer : new AnswerLm(model);
            BatchSource source = pointer != null ? new PointerBatches(batches) : batches;
            try (ModelTrainer trainer = new ModelTrainer(block, parameters, config, training, source,
                    new TokenCrossEntropy())) {
                while (trainer.step() < lastStep) {
                    if ((System.nanoTime() - started) / 6e10 >= maxMinutes) {
                        stoppedBy = "max-minutes";
                        break;
                    }
                    try {
                        history.addAll(trainer.trainUntil(Math.min(lastStep, trainer.step() + 10), null));
                    } catch (ModelTrainer.Diverged diverged) {
                        // The failing update was not applied, so the weights saved are those of the last finite
                        // step; the updates of this chunk before it count in the record.
                        history.addAll(diverged.completed());
                        stoppedBy = diverged.getMessage();
                        break;
                    }
                    StepStats last = history.get(history.size() - 1);
                    LOG.info("{} step {} loss {} ({} s)", name, last.step(), String.format("%.4f", recentLoss(history)),
                            Math.round((System.nanoTime() - started) / 1e9));
                }
                seconds = (System.nanoTime() - started) / 1e9;
                stepsDone = trainer.step();
            }
            Path target = out.resolve(name);
            if (pointer != null) {
                pointer.save(target, SafeTensors.Dtype.F16);
            } else {
                ModelCheckpoint.save(target, model, SafeTensors.Dtype.F16);
            }
            List<double[]> curve = new ArrayList<>();
            for (int i = 0; i < history.size(); i += 10) {
                int to = Math.min(history.size(), i + 10);
                curve.add(new double[] {history.get(to - 1).step(), mean(history.subList(i, to))});
            }
            ModelFiles.writeJson(target.resolve("training.json"), new Summary(name, answerHead.option(), config, parameterCount,
                    training, mix, steps, stepsDone, seconds, mean(history.subList(0, Math.min(20, history.size()))),
                    recentLoss(history), stoppedBy, curve, "needle train " + String.join(" ", commandArgs()),
                    Devices.ComputeEnvironment.of(manager.getDevice())));
            LOG.info("{}: {} steps in {} s ({}), saved to {}", name, stepsDone, Math.round(seconds), stoppedBy, target);
        }
    }

    private List<String> commandArgs() {
        Map<String, Object> args = new LinkedHashMap<>();
        args.put("--models", String.join(",", models));
        args.put("--head", head);
        args.put("--steps", steps);
        args.put("--warmup", warmup);
        args.put("--lr", learningRate);
        args.put("--d-model", dModel);
        args.put("--layers", layers);
        args.put("--head-dim", headDim);
        args.put("--max-length", maxLength);
        args.put("--batch-tokens", batchTokens);
        args.put("--lengths", join(lengths));
        args.put("--length-weights", join(lengthWeights));
        args.put("--kv-share", kvShare);
        args.put("--kv-pairs", join(kvPairs));
        args.put("--seed", seed);
        args.put("--stop-after", stopAfter);
        args.put("--max-minutes", maxMinutes);
        List<String> list = new ArrayList<>(List.of(data.toString()));
        args.forEach((k, v) -> list.add(k + " " + v));
        return list;
    }

    private static String join(List<?> values) {
        return String.join(",", values.stream().map(String::valueOf).toList());
    }

    private static double recentLoss(List<StepStats> history) {
        return mean(history.subList(Math.max(0, history.size() - 20), history.size()));
    }

    /** kv-retrieval records 0..{@value #KV_TRAIN_RECORDS}−1 of {@code data}, refused when the file holds fewer. */
    static List<KvRetrieval.Example> kvTrainingRecords(Path data) throws IOException {
        return kvRecords(data, KV_TRAIN_RECORDS, "training needs the first " + KV_TRAIN_RECORDS)
                .subList(0, KV_TRAIN_RECORDS);
    }

    /** kv-retrieval records of {@code data} from {@value #KV_TRAIN_RECORDS} on (never trained on), refused when none. */
    static List<KvRetrieval.Example> kvHeldOutRecords(Path data) throws IOException {
        List<KvRetrieval.Example> records = kvRecords(data, KV_TRAIN_RECORDS + 1,
                "the report evaluates those after the first " + KV_TRAIN_RECORDS);
        return records.subList(KV_TRAIN_RECORDS, records.size());
    }

    private static List<KvRetrieval.Example> kvRecords(Path data, int needed, String use) throws IOException {
        Path file = data.resolve("longctx/kv-retrieval-75.jsonl.gz");
        List<KvRetrieval.Example> records = KvRetrieval.read(file);
        if (records.size() < needed) {
            throw new IllegalArgumentException(file + " holds " + records.size() + " kv-retrieval records; " + use);
        }
        return records;
    }

    private static double mean(List<StepStats> stats) {
        return stats.stream().mapToDouble(StepStats::loss).average().orElse(Double.NaN);
    }
}
