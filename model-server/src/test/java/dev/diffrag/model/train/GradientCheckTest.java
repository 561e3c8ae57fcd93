package dev.diffrag.model.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import dev.diffrag.model.AttentionKind;
import dev.diffrag.model.DiffTransformer;
import dev.diffrag.model.ModelConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * DJL autograd gradients of a tiny Diff Transformer against central differences of the loss.
 *
 * <p>Float32, not float64: the model computes softmax, RMSNorm and rotary embeddings in float32 whatever the parameter
 * type, so float64 parameters would not make the loss more precise. With float32 the loss (≈ 2.5) carries a rounding
 * error of about 1e-6, so a central difference with step h = 1e-2 carries about 1e-6 / (2h) = 5e-5 of noise, and its
 * truncation error h²/6·f''' stays near 1e-4 for these weights; the tolerance 1e-3 + 2%·|gradient| covers both while a
 * gradient wrong by 10% on any of the checked entries (each at least 0.01 in size) fails.
 */
class GradientCheckTest {

    private static final float STEP = 1e-2f;

    @ParameterizedTest
    @EnumSource(AttentionKind.class)
    void autogradMatchesCentralDifferences(AttentionKind kind) {
        try (NDManager manager = NDManager.newBaseManager()) {
            ModelConfig config = ModelConfig.causalLm(kind, 16, 2, 4, 11, 8);
            DiffTransformer model = new DiffTransformer(config);
            model.initialize(manager, DataType.FLOAT32, new Shape(1, 6));
            Map<String, Parameter> parameters = model.namedParameters();
            redraw(parameters, new Random(5));
            Random random = new Random(6);
            long[][] ids = new long[2][6];
            long[][] targets = new long[2][6];
            float[][] real = new float[2][6];
            for (int b = 0; b < 2; b++) {
                for (int t = 0; t < 6; t++) {
                    boolean padded = b == 1 && t >= 4;   // the second sequence is 4 tokens long
                    ids[b][t] = random.nextInt(11);
                    targets[b][t] = padded ? TokenCrossEntropy.IGNORE : random.nextInt(11);
                    real[b][t] = padded ? 0 : 1;
                }
            }
            NDList inputs = new NDList(manager.create(ids), manager.create(real));
            NDList labels = new NDList(manager.create(targets));
            ParameterStore store = new ParameterStore(manager, false);
            TokenCrossEntropy objective = new TokenCrossEntropy();

            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                collector.backward(objective.loss(model.forward(store, inputs, true), labels));
            }

            List<String> checked = new ArrayList<>();
            for (Map.Entry<String, Parameter> entry : parameters.entrySet()) {
                NDArray value = entry.getValue().getArray();
                float[] gradient = value.getGradient().toFloatArray();
                int largest = 0;
                for (int i = 1; i < gradient.length; i++) {
                    largest = Math.abs(gradient[i]) > Math.abs(gradient[largest]) ? i : largest;
                }
                if (Math.abs(gradient[largest]) < 1e-2) {
                    continue; // too small for a float32 difference to measure
                }
                float[] values = value.toFloatArray();
                float original = values[largest];
                values[largest] = original + STEP;
                double plus = loss(model, store, inputs, labels, objective, value, values);
                values[largest] = original - STEP;
                double minus = loss(model, store, inputs, labels, objective, value, values);
                values[largest] = original;
                value.set(values);
                double difference = (plus - minus) / (2 * STEP);
                assertThat(difference).as("%s %s[%d]", kind, entry.getKey(), largest)
                        .isCloseTo(gradient[largest], within(
                                1e-3 + 0.02 * Math.abs(gradient[largest])));
                checked.add(entry.getKey());
            }
            assertThat(checked).as("parameters with a measurable gradient").hasSizeGreaterThan(parameters.size() / 2);
            if (kind == AttentionKind.DIFF_V1) {
                assertThat(checked).contains("layers.0.attn.lambda_q1", "layers.1.attn.lambda_k2");
            }
        }
    }

    private static double loss(DiffTransformer model, ParameterStore store, NDList inputs, NDList labels,
            TokenCrossEntropy objective, NDArray parameter, float[] values) {
        parameter.set(values);
        try (NDScope scope = new NDScope()) {
            return objective.loss(model.forward(store, inputs, false), labels).getFloat();
        }
    }

    /** Weights large enough (std 0.3, gains near 1) that attention is peaked and every term moves the loss. */
    private static void redraw(Map<String, Parameter> parameters, Random random) {
        for (Parameter parameter : parameters.values()) {
            NDArray array = parameter.getArray();
            float[] values = new float[Math.toIntExact(array.size())];
            for (int i = 0; i < values.length; i++) {
                double gaussian = random.nextGaussian();
                values[i] = (float) (parameter.getType() == Parameter.Type.GAMMA ? 1 + 0.2 * gaussian : 0.3 * gaussian);
            }
            array.set(values);
        }
    }
}
