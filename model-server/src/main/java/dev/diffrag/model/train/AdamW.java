package dev.diffrag.model.train;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Parameter;
import dev.diffrag.model.Autograd;
import dev.diffrag.model.io.SafeTensors;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.ToDoubleFunction;

/**
 * AdamW with decoupled weight decay (Loshchilov and Hutter 2019), the update of PyTorch's {@code torch.optim.AdamW}.
 *
 * <p>Written with NDArray ops rather than DJL's {@code Optimizer.adamW()} because DJL keeps the moments in private
 * per-device maps (they could not be saved, so a resumed run would restart them at zero) and decays every parameter,
 * while weight decay here applies to matrices only: norm gains and λ vectors (1-D parameters) are exempt.
 *
 * <p>Moments are FLOAT32. A model held in BFLOAT16 gets FLOAT32 master weights here, updated and then copied into the
 * model, so small updates are not rounded away.
 */
final class AdamW implements AutoCloseable {

    private static final NDIndex ALL = new NDIndex("...");

    private final Map<String, Parameter> parameters = new LinkedHashMap<>();
    private final Map<String, NDArray> firstMoments = new HashMap<>();
    private final Map<String, NDArray> secondMoments = new HashMap<>();
    /** FLOAT32 copies of reduced-precision parameters; FLOAT32 parameters are updated in place instead. */
    private final Map<String, NDArray> masters = new HashMap<>();
    private final NDManager state;
    private final TrainingConfig config;
    private long step;

    /** Learning-rate factor per parameter name (PyTorch's parameter groups). */
    private final ToDoubleFunction<String> learningRateScale;

    /**
     * Takes over every parameter that requires a gradient (frozen ones are left alone).
     *
     * @param learningRateScale each parameter's factor on the schedule's learning rate (and so on its weight decay)
     */
    AdamW(Map<String, Parameter> all, TrainingConfig config, Device device, ToDoubleFunction<String> learningRateScale) {
        this.config = config;
        this.learningRateScale = learningRateScale;
        this.state = NDManager.newBaseManager(device);
        all.forEach((name, parameter) -> {
            if (!parameter.requiresGradient()) {
                return;
            }
            NDArray value = parameter.getArray();
            parameters.put(name, parameter);
            firstMoments.put(name, state.zeros(value.getShape(), DataType.FLOAT32));
            secondMoments.put(name, state.zeros(value.getShape(), DataType.FLOAT32));
            if (value.getDataType() != DataType.FLOAT32) {
                masters.put(name, value.toType(DataType.FLOAT32, true));
                masters.get(name).attach(state);
            }
        });
    }

    /** Updates taken so far. */
    long step() {
        return step;
    }

    /** Trainable parameters by name. */
    Map<String, Parameter> parameters() {
        return parameters;
    }

    /** Whether weight decay applies: to matrices (projections, embeddings), not to gains, λ vectors or biases. */
    static boolean decays(NDArray value) {
        return value.getShape().dimension() >= 2;
    }

    /**
     * Applies one update with the current gradients multiplied by {@code gradientScale} (the clipping factor), then
     * zeroes the gradients (PyTorch accumulates them across backward passes). Call outside a gradient collector;
     * temporaries belong to the caller's {@code NDScope}.
     */
    void update(double learningRate, double gradientScale) {
        // In place on parameters that require gradients, which autograd refuses while it records: on any thread but
        // the one that started the engine it is on until turned off (see Autograd).
        Autograd.off(() -> {
            step++;
            double b1 = config.beta1();
            double b2 = config.beta2();
            double secondCorrection = Math.sqrt(1 - Math.pow(b2, step));
            parameters.forEach((name, parameter) -> {
                double rate = learningRate * learningRateScale.applyAsDouble(name);
                double stepSize = rate / (1 - Math.pow(b1, step));
                NDArray value = parameter.getArray();
                NDArray gradient = value.getGradient();
                NDArray g = gradient.toType(DataType.FLOAT32, false).mul((float) gradientScale);
                NDArray weights = masters.getOrDefault(name, value);
                if (decays(value)) {
                    weights.muli((float) (1 - rate * config.weightDecay()));
                }
                NDArray m = firstMoments.get(name).muli((float) b1).addi(g.mul((float) (1 - b1)));
                NDArray v = secondMoments.get(name).muli((float) b2).addi(g.square().muli((float) (1 - b2)));
                NDArray denominator = v.sqrt().divi((float) secondCorrection).addi((float) config.eps());
                weights.subi(m.div(denominator).muli((float) stepSize));
                if (weights != value) {
                    value.set(ALL, weights.toType(value.getDataType(), false));
                }
                gradient.set(ALL, 0);
            });
            return null;
        });
    }

    /** Writes the moments, master weights and step count as safetensors. */
    void save(Path file) throws IOException {
        Map<String, NDArray> tensors = new LinkedHashMap<>();
        try (NDManager scratch = state.newSubManager()) {
            tensors.put("step", scratch.create(step));
            for (String name : parameters.keySet()) {
                tensors.put("exp_avg." + name, firstMoments.get(name));
                tensors.put("exp_avg_sq." + name, secondMoments.get(name));
                if (masters.containsKey(name)) {
                    tensors.put("master." + name, masters.get(name));
                }
            }
            SafeTensors.write(file, tensors, Map.of("format", "diffrag-adamw"));
        }
    }

    /** Restores what {@link #save} wrote, strictly: every tensor must be present, expected and of the right shape. */
    void load(Path file) throws IOException {
        try (NDManager scratch = NDManager.newBaseManager()) {
            Map<String, NDArray> tensors = SafeTensors.read(file, scratch).tensors();
            Map<String, NDArray> targets = new LinkedHashMap<>();
            for (String name : parameters.keySet()) {
                targets.put("exp_avg." + name, firstMoments.get(name));
                targets.put("exp_avg_sq." + name, secondMoments.get(name));
                if (masters.containsKey(name)) {
                    targets.put("master." + name, masters.get(name));
                }
            }
            List<String> problems = new ArrayList<>();
            NDArray savedStep = tensors.get("step");
            if (savedStep == null || savedStep.getDataType() != DataType.INT64 || savedStep.size() != 1) {
                problems.add("missing INT64 scalar 'step'");
            }
            targets.forEach((key, target) -> {
                NDArray saved = tensors.get(key);
                if (saved == null) {
                    problems.add("missing tensor " + key);
                } else if (!saved.getShape().equals(target.getShape())) {
                    problems.add(key + " has shape " + saved.getShape() + ", expected " + target.getShape());
                }
            });
            for (String key : new TreeSet<>(tensors.keySet())) {
                if (!key.equals("step") && !targets.containsKey(key)) {
                    problems.add("unexpected tensor " + key);
                }
            }
            if (!problems.isEmpty()) {
                throw new IOException("cannot restore optimizer state from " + file + ": "
                        + String.join("; ", problems));
            }
            targets.forEach((key, target) -> target.set(ALL,
                    tensors.get(key).toType(DataType.FLOAT32, false).toDevice(target.getDevice(), false)));
            step = savedStep.toLongArray()[0];
        }
    }

    @Override
    public void close() {
        state.close();
    }
}
