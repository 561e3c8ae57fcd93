package dev.diffrag.reader;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.JsonNode;
import dev.diffrag.model.Devices;
import dev.diffrag.model.io.ModelFiles;
import dev.diffrag.reader.data.ReaderCorpus;
import dev.diffrag.reader.data.ReaderExample;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code reader calibrate DATA CHECKPOINT…}: chooses the abstention threshold and answer-type weight of trained
 * readers again on the development split that {@code train} builds with the same seed (never on xquad), and rewrites
 * each checkpoint's {@value Calibration#FILE}; the weights stay as they are. A summary with the development metrics goes to
 * {@code --summary}.
 */
@Command(name = "calibrate", mixinStandardHelpOptions = true,
        description = "Re-choose readers' abstention thresholds and answer-type weights on the development split "
                + "(never xquad).")
final class CalibrateCommand implements Callable<Integer> {

    private static final Logger LOG = LoggerFactory.getLogger(CalibrateCommand.class);

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", description = "the shared data folder, e.g. ../shared/data")
    Path data;

    @Parameters(index = "1..*", arity = "1..*", description = "checkpoint folders written by train")
    List<Path> checkpoints;

    @Option(names = "--seed", defaultValue = "42",
            description = "the seed train used (it draws the split); checked against the training.json beside a "
                    + "checkpoint")
    int seed;
    @Option(names = "--threads", defaultValue = "1", description = "onnxruntime threads for the frozen encoder")
    int threads;
    @Option(names = "--summary", defaultValue = "model-server/target/reader-runs/calibration.json") Path summary;

    @Override
    public Integer call() throws Exception {
        for (Path checkpoint : checkpoints) {
            Integer trained = trainedSeed(checkpoint);
            if (trained != null && trained != seed) {
                // Another seed's development questions are mostly that reader's training questions.
                throw new IllegalArgumentException(checkpoint + " was trained with --seed " + trained + ", whose "
                        + "training split holds most development questions of --seed " + seed
                        + "; calibrate it with --seed " + trained);
            }
        }
        List<ReaderExample> dev = ReaderCorpus.build(data, ReaderCorpus.Recipe.standard(), seed).dev();
        Map<String, Object> results = new LinkedHashMap<>();
        results.put("command", "reader " + String.join(" ", spec.commandLine().getParseResult().originalArgs()));
        // One featurizer serves every checkpoint, as in train; it refuses checkpoints with other layout limits.
        List<ReaderConfig> configs = new ArrayList<>();
        for (Path checkpoint : checkpoints) {
            configs.add(ModelFiles.readConfig(checkpoint, ReaderConfig.class));
        }
        try (NDManager manager = NDManager.newBaseManager(Devices.pick());
                ReaderFeaturizer featurizer = ReaderFeaturizer.sharedBy(configs, Long.MAX_VALUE, threads)) {
            ReaderTraining.precompute(dev, featurizer);
            ReaderTraining.Dev labelled = ReaderTraining.labelDev(dev, featurizer);
            for (Path checkpoint : checkpoints) {
                try (NDManager scope = manager.newSubManager()) {
                    ReaderModel model = ReaderCheckpoint.loadModel(checkpoint, scope, DataType.FLOAT32);
                    ReaderTraining.Calibrated calibrated = ReaderTraining.calibrateOnDev(model, featurizer, labelled,
                            scope);
                    ModelFiles.writeJson(checkpoint.resolve(Calibration.FILE), calibrated.calibration());
                    LOG.info("{}: {}, dev {}", checkpoint, calibrated.calibration(), calibrated.dev());
                    results.put(checkpoint.toString(), calibrated);
                }
            }
        }
        ModelFiles.writeJson(summary, results);
        LOG.info("wrote {}", summary);
        return 0;
    }

    /**
     * The seed {@code train} drew the checkpoint's split with, read from the {@code training.json} it writes beside
     * its variant folders; null when there is none or it does not list this variant (e.g. a copied checkpoint).
     */
    static Integer trainedSeed(Path checkpoint) throws IOException {
        Path record = checkpoint.toAbsolutePath().getParent().resolve("training.json");
        if (!Files.exists(record)) {
            return null;
        }
        JsonNode json = ModelFiles.JSON.readTree(record.toFile());
        String variant = checkpoint.getFileName().toString();
        boolean listed = false;
        for (JsonNode result : json.path("results")) {
            listed |= result.path("variant").asText().equals(variant);
        }
        String command = json.path("command").asText();
        if (!listed || !command.startsWith("reader train ")) {
            return null;
        }
        TrainCommand train = new TrainCommand();
        // Options a later version dropped must not hide the seed.
        new CommandLine(train).setUnmatchedArgumentsAllowed(true)
                .parseArgs(command.substring("reader train ".length()).split(" "));
        return train.seed;
    }
}
