package dev.diffrag.model.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.ToDoubleFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The update against PyTorch's AdamW written out in scalar double arithmetic. */
class AdamWTest {

    private static final double LR = 0.01;
    private final TrainingConfig config = new TrainingConfig(LR, LR, 0, 10, 0.1, 0.9, 0.95, 1e-8, 0, 1, 1, 0, 1,
            DataType.FLOAT32);

    @TempDir
    Path dir;

    private static Parameter parameter(NDManager manager, String name, float[] values, Shape shape) {
        Parameter parameter = Parameter.builder().setName(name).setType(Parameter.Type.WEIGHT).build();
        NDArray array = manager.create(values, shape);
        array.setRequiresGradient(true);
        parameter.setArray(array);
        return parameter;
    }

    /** loss = Σ c ⊙ w²: gradient 2 c ⊙ w, a different one each step. */
    private static void backward(Map<String, Parameter> parameters, float c) {
        try (NDScope scope = new NDScope(); GradientCollector collector = Engine.getInstance().newGradientCollector()) {
            NDArray loss = null;
            for (Parameter p : parameters.values()) {
                NDArray term = p.getArray().square().mul(c).sum();
                loss = loss == null ? term : loss.add(term);
            }
            collector.backward(loss);
        }
    }

    /** PyTorch AdamW on one scalar at learning rate lr: returns {w, m, v} after update number t with gradient g. */
    private static double[] reference(double w, double m, double v, double g, int t, boolean decay, double lr) {
        if (decay) {
            w *= 1 - lr * 0.1;
        }
        m = 0.9 * m + 0.1 * g;
        v = 0.95 * v + 0.05 * g * g;
        double denominator = Math.sqrt(v) / Math.sqrt(1 - Math.pow(0.95, t)) + 1e-8;
        w -= lr / (1 - Math.pow(0.9, t)) * m / denominator;
        return new double[] {w, m, v};
    }

    @Test
    void matchesTheReferenceUpdateDecayingMatricesOnlyAndSurvivesASaveAndLoad() throws Exception {
        ToDoubleFunction<String> halfForGains = name -> name.equals("g") ? 0.5 : 1; // a parameter group
        try (NDManager manager = NDManager.newBaseManager()) {
            float[] matrix = {0.5f, -1.5f, 2.0f, 0.25f};
            float[] gain = {1.0f, -0.75f};
            Map<String, Parameter> parameters = new LinkedHashMap<>();
            parameters.put("w", parameter(manager, "w", matrix, new Shape(2, 2)));
            parameters.put("g", parameter(manager, "g", gain, new Shape(2)));
            double[][] expected = new double[6][];
            for (int i = 0; i < 4; i++) {
                expected[i] = new double[] {matrix[i], 0, 0};
            }
            for (int i = 0; i < 2; i++) {
                expected[4 + i] = new double[] {gain[i], 0, 0};
            }

            try (AdamW adamW = new AdamW(parameters, config, Device.cpu(), halfForGains)) {
                for (int t = 1; t <= 3; t++) {
                    float c = t;
                    backward(parameters, c);
                    for (double[] e : expected) {
                        // the gradient seen is 2c·w at the pre-update (float32) value
                        boolean isGain = e == expected[4] || e == expected[5];
                        System.arraycopy(reference(e[0], e[1], e[2], 2 * c * (float) e[0], t, !isGain,
                                isGain ? LR / 2 : LR), 0, e, 0, 3);
                    }
                    try (NDScope scope = new NDScope()) {
                        adamW.update(LR, 1.0);
                    }
                    float[] w = parameters.get("w").getArray().toFloatArray();
                    float[] g = parameters.get("g").getArray().toFloatArray();
                    for (int i = 0; i < 4; i++) {
                        assertThat((double) w[i]).as("w[%d] after step %d", i, t).isCloseTo(expected[i][0],
                                within(1e-6));
                    }
                    for (int i = 0; i < 2; i++) {
                        assertThat((double) g[i]).as("g[%d] after step %d", i, t).isCloseTo(expected[4 + i][0],
                                within(1e-6));
                    }
                    assertThat(parameters.get("w").getArray().getGradient().toFloatArray()).containsOnly(0f);
                }
                assertThat(adamW.step()).isEqualTo(3);
                adamW.save(dir.resolve("opt.safetensors"));
            }

            // A fresh optimizer loaded from the file takes the same fourth step as the reference.
            try (AdamW restored = new AdamW(parameters, config, Device.cpu(), halfForGains)) {
                restored.load(dir.resolve("opt.safetensors"));
                assertThat(restored.step()).isEqualTo(3);
                backward(parameters, 4f);
                double[] e = reference(expected[0][0], expected[0][1], expected[0][2], 8 * (float) expected[0][0], 4,
                        true, LR);
                try (NDScope scope = new NDScope()) {
                    restored.update(LR, 1.0);
                }
                assertThat((double) parameters.get("w").getArray().toFloatArray()[0]).isCloseTo(e[0], within(1e-6));
            }
        }
    }
}
