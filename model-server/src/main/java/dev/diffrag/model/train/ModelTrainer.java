package dev.diffrag.model.train;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import dev.diffrag.model.io.ModelFiles;
import dev.diffrag.model.io.SafeTensors;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.function.ToDoubleFunction;
import java.util.stream.Stream;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Trains any DJL block on DJL autograd: AdamW with linear warm-up and cosine decay, clipping by global gradient norm,
 * seeded data order, periodic checkpoints and an exact resume.
 *
 * <p>A checkpoint is a directory {@code step-NNNNNNNN} under the run's checkpoint root holding {@code config.json} and
 * {@code model.safetensors} (so it loads as a model, see {@link ModelFiles}), {@code optimizer.safetensors} (moments,
 * master weights, step) and {@code training.json} (the {@link TrainingConfig}).
 *
 * <p>Typical use:
 * <pre>{@code
 * Device device = Devices.pick();                      // CUDA when present, else CPU; logged
 * TrainingConfig config = TrainingConfig.of(3e-4, 100, 5_000, 16, 42).withCheckpointEvery(500);
 * ModelTrainer.seed(config.seed());                    // before initialising, for reproducible weights
 * try (NDManager manager = NDManager.newBaseManager(device)) {
 *     DiffTransformer model = new DiffTransformer(modelConfig);
 *     model.initialize(manager, config.dtype(), new Shape(1, 1));
 *     BatchSource batches = new ShuffledBatches<>(examples, config, (picked, m) -> new Batch(..., ...));
 *     try (ModelTrainer trainer = new ModelTrainer(model, model.namedParameters(), model.config(), config,
 *             batches, new TokenCrossEntropy())) {
 *         Optional<Path> last = ModelTrainer.latestCheckpoint(runDir);
 *         if (last.isPresent()) {
 *             trainer.resume(last.get());              // picks up exactly where the run stopped
 *         }
 *         trainer.train(runDir);
 *     }
 * }
 * }</pre>
 */
public final class ModelTrainer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ModelTrainer.class);

    /** A non-finite loss or gradient norm. The failing update was not applied; the ones before it were. */
    public static final class Diverged extends IllegalStateException {
        private final transient List<StepStats> completed;

        Diverged(String message, List<StepStats> completed) {
            super(message);
            this.completed = List.copyOf(completed);
        }

        /** The stats of the updates the failing {@link #trainUntil} call took before the failing one. */
        public List<StepStats> completed() {
            return completed;
        }
    }
    static final String OPTIMIZER = "optimizer.safetensors";
    static final String TRAINING = "training.json";

    private final Block model;
    private final Map<String, Parameter> parameters;
    private final Object modelConfig;
    private final TrainingConfig config;
    private final BatchSource batches;
    private final Objective objective;
    private final Device device;
    private final NDManager manager;
    private final ParameterStore parameterStore;
    private final AdamW optimizer;

    /**
     * @param model an initialised block whose forward takes a batch's inputs
     * @param parameters the block's parameters by name (the names written to model.safetensors)
     * @param modelConfig the record written as config.json, which rebuilds the architecture
     */
    public ModelTrainer(Block model, Map<String, Parameter> parameters, Object modelConfig, TrainingConfig config,
            BatchSource batches, Objective objective) {
        this(model, parameters, modelConfig, config, batches, objective, name -> 1);
    }

    /**
     * @param learningRateScale a factor on the schedule's learning rate per parameter name, e.g. smaller for
     *     pretrained weights being fine-tuned
     */
    public ModelTrainer(Block model, Map<String, Parameter> parameters, Object modelConfig, TrainingConfig config,
            BatchSource batches, Objective objective, ToDoubleFunction<String> learningRateScale) {
        this.model = model;
        this.parameters = Collections.unmodifiableMap(new LinkedHashMap<>(parameters));
        this.modelConfig = modelConfig;
        this.config = config;
        this.batches = batches;
        this.objective = objective;
        this.device = commonDevice(parameters, config.dtype());
        this.manager = NDManager.newBaseManager(device);
        this.parameterStore = new ParameterStore(manager, false);
        this.optimizer = new AdamW(parameters, config, device, learningRateScale);
    }

    /**
     * Seeds the engine's generator for parameter initialisation; call before initialising the model. (Each update
     * reseeds it for its own dropout masks, see {@link #updateSeed}.)
     */
    public static void seed(int seed) {
        Engine.getInstance().setRandomSeed(seed);
    }

    /** Updates taken so far (0 for a fresh run; the checkpoint's step after {@link #resume}). */
    public long step() {
        return optimizer.step();
    }

    /** Trains until {@code totalSteps} updates have been taken; see {@link #trainUntil}. */
    public List<StepStats> train(Path checkpointRoot) {
        return trainUntil(config.totalSteps(), checkpointRoot);
    }

    /**
     * Takes updates until {@code lastStep} have been taken, writing checkpoints under {@code checkpointRoot} every
     * {@code checkpointEvery} steps and at {@code lastStep} ({@code checkpointRoot} may be null when checkpointEvery is
     * 0).
     *
     * @return the stats of the updates taken by this call
     * @throws Diverged when an update's loss or gradient norm is not finite; it holds the stats of the updates taken
     *     before that one
     */
    public List<StepStats> trainUntil(long lastStep, Path checkpointRoot) {
        if (lastStep > config.totalSteps() || lastStep < step()) {
            throw new IllegalArgumentException("cannot train from step " + step() + " to " + lastStep + " of "
                    + config.totalSteps());
        }
        if (config.checkpointEvery() > 0 && checkpointRoot == null) {
            throw new IllegalArgumentException("checkpointEvery is set but no checkpoint directory was given");
        }
        LOG.info("training on {} ({} {}), {}, {} trainable parameters, steps {}..{} of {}", device,
                Engine.getInstance().getEngineName(), Engine.getInstance().getVersion(), config.dtype(),
                trainableCount(), step() + 1, lastStep, config.totalSteps());
        List<StepStats> history = new ArrayList<>();
        long started = System.nanoTime();
        try (ProgressBar bar = new ProgressBarBuilder().setTaskName("train").setInitialMax(config.totalSteps())
                .startsFrom(step(), Duration.ZERO).build()) {
            while (step() < lastStep) {
                StepStats stats = update(history);
                history.add(stats);
                bar.step();
                bar.setExtraMessage(String.format(" loss %.4f", stats.loss()));
                if (stats.step() % config.logEvery() == 0 || stats.step() == lastStep) {
                    double seconds = (System.nanoTime() - started) / 1e9;
                    LOG.info("step {}/{} loss {} lr {} grad-norm {} ({} steps/s)", stats.step(), config.totalSteps(),
                            String.format("%.4f", stats.loss()), String.format("%.3g", stats.learningRate()),
                            String.format("%.3g", stats.gradientNorm()),
                            String.format("%.2f", history.size() / seconds));
                }
                boolean due = config.checkpointEvery() > 0
                        && (stats.step() % config.checkpointEvery() == 0 || stats.step() == lastStep);
                if (due) {
                    saveCheckpoint(checkpointRoot);
                }
            }
        }
        return history;
    }

    /**
     * One update: forward, loss, backward, clip, AdamW, zeroed gradients; every temporary is closed.
     *
     * @param taken the updates this call of {@link #trainUntil} took so far, handed on if this one diverges
     */
    private StepStats update(List<StepStats> taken) {
        long number = step() + 1;
        double learningRate = config.learningRateAt(number);
        Engine.getInstance().setRandomSeed(updateSeed(config.seed(), number));
        try (NDScope scope = new NDScope(); NDManager data = manager.newSubManager()) {
            Batch batch = batches.batch(number - 1, data);
            double loss;
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                NDList predictions = model.forward(parameterStore, batch.inputs(), true);
                NDArray value = objective.loss(predictions, batch.labels());
                collector.backward(value);
                loss = value.toType(DataType.FLOAT32, false).getFloat();
            }
            double norm = gradientNorm();
            if (!Double.isFinite(loss) || !Double.isFinite(norm)) {
                throw new Diverged("training diverged at step " + number + ": loss " + loss
                        + ", gradient norm " + norm + " (lower the learning rate or check the data)", taken);
            }
            double clip = config.gradClipNorm();
            // torch.nn.utils.clip_grad_norm_'s factor: scale down only when the norm exceeds the limit.
            double scale = clip > 0 && norm > clip ? clip / (norm + 1e-6) : 1.0;
            optimizer.update(learningRate, scale);
            return new StepStats(number, loss, learningRate, norm);
        }
    }

    /**
     * The engine seed for update {@code number}'s dropout masks. A checkpoint cannot hold the engine's generator, so
     * the masks are drawn from the run's seed and the update alone: a resumed run draws the ones the uninterrupted run
     * drew.
     */
    static int updateSeed(int seed, long number) {
        return new SplittableRandom(seed * 1_000_003L + number).nextInt();
    }

    /** Global L2 norm over all trainable gradients, in FLOAT32. */
    private double gradientNorm() {
        NDArray sum = null;
        for (Parameter parameter : optimizer.parameters().values()) {
            NDArray squares = parameter.getArray().getGradient().toType(DataType.FLOAT32, false).square().sum();
            sum = sum == null ? squares : sum.add(squares);
        }
        return sum == null ? 0 : Math.sqrt(sum.getFloat());
    }

    /** Writes a checkpoint of the current step under {@code checkpointRoot} and returns its directory. */
    public Path saveCheckpoint(Path checkpointRoot) {
        Path target = checkpointRoot.resolve(String.format("step-%08d", step()));
        Path partial = checkpointRoot.resolve(target.getFileName() + ".partial");
        try {
            deleteRecursively(partial);
            ModelFiles.save(partial, modelConfig, parameters, SafeTensors.Dtype.F32);
            optimizer.save(partial.resolve(OPTIMIZER));
            ModelFiles.writeJson(partial.resolve(TRAINING), config);
            // The directory appears complete or not at all: a crash mid-write leaves only a .partial behind.
            deleteRecursively(target);
            Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write checkpoint " + target, e);
        }
        LOG.info("checkpoint {}", target);
        return target;
    }

    /**
     * Restores parameters, optimizer state and step from a checkpoint directory, so that training continues exactly
     * as if uninterrupted. The checkpoint must come from the same training configuration and model configuration.
     */
    public void resume(Path checkpoint) throws IOException {
        TrainingConfig saved = ModelFiles.readJson(checkpoint.resolve(TRAINING), TrainingConfig.class);
        if (!saved.equals(config)) {
            throw new IOException("checkpoint " + checkpoint + " was written with " + saved + ", not " + config
                    + "; to train on with other settings, load its weights into a new run instead");
        }
        Object savedModel = ModelFiles.readConfig(checkpoint, modelConfig.getClass());
        if (!savedModel.equals(modelConfig)) {
            throw new IOException("checkpoint " + checkpoint + " holds a model " + savedModel + ", not "
                    + modelConfig);
        }
        ModelFiles.loadWeights(checkpoint, parameters);
        optimizer.load(checkpoint.resolve(OPTIMIZER));
        LOG.info("resumed from {} at step {}", checkpoint, step());
    }

    /** The checkpoint of the highest step under {@code checkpointRoot}, if any (unfinished ones are ignored). */
    public static Optional<Path> latestCheckpoint(Path checkpointRoot) throws IOException {
        if (!Files.isDirectory(checkpointRoot)) {
            return Optional.empty();
        }
        try (Stream<Path> entries = Files.list(checkpointRoot)) {
            return entries.filter(p -> p.getFileName().toString().matches("step-\\d{8}") && Files.isDirectory(p))
                    .max(Comparator.comparing(p -> p.getFileName().toString()));
        }
    }

    private long trainableCount() {
        return optimizer.parameters().values().stream().mapToLong(p -> p.getArray().size()).sum();
    }

    private static Device commonDevice(Map<String, Parameter> parameters, DataType dtype) {
        Device device = null;
        for (Map.Entry<String, Parameter> entry : parameters.entrySet()) {
            Parameter parameter = entry.getValue();
            if (!parameter.isInitialized()) {
                throw new IllegalArgumentException("parameter " + entry.getKey() + " is not initialized");
            }
            NDArray value = parameter.getArray();
            if (value.getDataType() != dtype) {
                throw new IllegalArgumentException("parameter " + entry.getKey() + " is " + value.getDataType()
                        + " but the training config says " + dtype + "; initialise the model in that type");
            }
            if (device != null && !device.equals(value.getDevice())) {
                throw new IllegalArgumentException("parameters lie on " + device + " and " + value.getDevice());
            }
            device = value.getDevice();
        }
        if (device == null) {
            throw new IllegalArgumentException("the model has no parameters");
        }
        if (dtype == DataType.BFLOAT16 && !device.isGpu()) {
            throw new IllegalArgumentException("BFLOAT16 training needs a CUDA device (DJL 0.33's PyTorch engine "
                    + "cannot hold BF16 arrays on the CPU); train in FLOAT32 on " + device);
        }
        return device;
    }

    private static void deleteRecursively(Path path) throws IOException {
        if (!Files.exists(path)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(path)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    @Override
    public void close() {
        optimizer.close();
        manager.close();
    }
}
