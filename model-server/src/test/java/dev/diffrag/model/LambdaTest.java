package dev.diffrag.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import org.junit.jupiter.api.Test;

class LambdaTest {

    @Test
    void lambdaInitFollowsTheScheduleFromLayerOne() {
        double[] expected = {0.2, 0.3555091, 0.4707130, 0.5560580, 0.6192835, 0.6661219};
        for (int layer = 1; layer <= 6; layer++) {
            assertThat(ModelConfig.lambdaInit(layer)).as("layer %d", layer).isCloseTo(expected[layer - 1], within(1e-6));
        }
        assertThat(ModelConfig.lambdaInit(1)).isEqualTo(0.8 - 0.6, within(1e-12));
        assertThatThrownBy(() -> ModelConfig.lambdaInit(0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void lambdaIsComputedFromItsFourVectors() {
        try (NDManager manager = NDManager.newBaseManager()) {
            DiffTransformer model = Fixtures.model(manager, Fixtures.config(AttentionKind.DIFF_V1, false, true), 3);
            ParameterStore ps = new ParameterStore(manager, false);
            for (int layer = 0; layer < model.config().layers(); layer++) {
                String p = "layers." + layer + ".attn.";
                double q1k1 = dot(model, p + "lambda_q1", p + "lambda_k1");
                double q2k2 = dot(model, p + "lambda_q2", p + "lambda_k2");
                double expected = Math.exp(q1k1) - Math.exp(q2k2) + ModelConfig.lambdaInit(layer + 1);
                DiffAttentionV1 attention = (DiffAttentionV1) model.attention(layer);
                NDArray lambda = attention.lambda(ps, manager.zeros(new ai.djl.ndarray.types.Shape(1)), false);
                assertThat(lambda.getShape().dimension()).isZero();
                assertThat(lambda.getFloat()).as("layer %d", layer).isCloseTo((float) expected, within(1e-5f));
                assertThat(Math.abs(expected - ModelConfig.lambdaInit(layer + 1))).isGreaterThan(1e-3);
            }
        }
    }

    @Test
    void freshLambdaVectorsAreDrawnWithStdPointOne() {
        try (NDManager manager = NDManager.newBaseManager()) {
            DiffTransformer model = new DiffTransformer(ModelConfig.of(AttentionKind.DIFF_V1, 256, 4, 64, true, 10,
                    16, true));
            model.initialize(manager, ai.djl.ndarray.types.DataType.FLOAT32, new ai.djl.ndarray.types.Shape(1, 4));
            double sumSquares = 0;
            int count = 0;
            for (var entry : model.namedParameters().entrySet()) {
                if (entry.getKey().contains(".lambda_")) {
                    for (float value : entry.getValue().getArray().toFloatArray()) {
                        sumSquares += value * value;
                        count++;
                    }
                }
            }
            assertThat(count).isEqualTo(4 * 4 * 64);
            assertThat(Math.sqrt(sumSquares / count)).isCloseTo(0.1, within(0.015));
        }
    }

    /**
     * With λq1 = λk1 = 0 and λq2·λk2 = ln(1 + λinit), λ = 1 − (1 + λinit) + λinit = 0 and each head becomes plain
     * softmax attention of its first query/key pair, then subln and (1 − λinit).
     */
    @Test
    void v1WithLambdaForcedToZeroIsSoftmaxAttentionOnQ1K1() {
        try (NDManager manager = NDManager.newBaseManager()) {
            ModelConfig config = Fixtures.config(AttentionKind.DIFF_V1, true, true);
            DiffTransformer model = Fixtures.model(manager, config, 5);
            int layer = 1;
            String p = "layers." + layer + ".attn.";
            double lambdaInit = ModelConfig.lambdaInit(layer + 1);
            int d = config.headDim();
            float[] zero = new float[d];
            float[] q2 = new float[d];
            float[] k2 = new float[d];
            q2[0] = (float) Math.log(1 + lambdaInit);
            k2[0] = 1f;
            model.namedParameters().get(p + "lambda_q1").getArray().set(zero);
            model.namedParameters().get(p + "lambda_k1").getArray().set(zero);
            model.namedParameters().get(p + "lambda_q2").getArray().set(q2);
            model.namedParameters().get(p + "lambda_k2").getArray().set(k2);
            ParameterStore ps = new ParameterStore(manager, false);
            DiffAttentionV1 attention = (DiffAttentionV1) model.attention(layer);
            assertThat(attention.lambda(ps, manager.zeros(new ai.djl.ndarray.types.Shape(1)), false).getFloat())
                    .isCloseTo(0f, within(1e-6f));

            int length = 9;
            double[][][] x = Fixtures.gaussian(21, 1, length, config.dModel());
            boolean[][] real = Fixtures.real(length, length);
            Attention.Context context = new Attention.Context(
                    Rotary.forPositions(manager, 0, length, d, config.ropeTheta()),
                    AttentionBias.build(manager, length, 0, length, true, null), null, null);
            double[][] actual = Fixtures.item(attention.forward(ps, Fixtures.floats(manager, x), context, false), 0);

            Reference reference = new Reference(model);
            int h = config.heads();
            double[][] q = reference.rope(Reference.linear(x[0], reference.weight(p + "q_proj.weight"), 2 * h * d), 2 * h, d);
            double[][] k = reference.rope(Reference.linear(x[0], reference.weight(p + "k_proj.weight"), 2 * h * d), 2 * h, d);
            double[][] v = Reference.linear(x[0], reference.weight(p + "v_proj.weight"), 2 * h * d);
            double[][] heads = new double[length][2 * h * d];
            for (int head = 0; head < h; head++) {
                double[][] probabilities = reference.softmaxScores(q, 2 * head, k, 2 * head, d, real[0]);
                for (int t = 0; t < length; t++) {
                    double[] out = new double[2 * d];
                    for (int s = 0; s < length; s++) {
                        for (int c = 0; c < 2 * d; c++) {
                            out[c] += probabilities[t][s] * v[s][head * 2 * d + c];
                        }
                    }
                    double[] normed = reference.rmsNorm(out, reference.weight(p + "subln.weight"));
                    for (int c = 0; c < 2 * d; c++) {
                        heads[t][head * 2 * d + c] = normed[c] * (1 - lambdaInit);
                    }
                }
            }
            double[][] expected = Reference.linear(heads, reference.weight(p + "out_proj.weight"), config.dModel());
            assertThat(Fixtures.relativeError(actual, expected, real[0])).isLessThan(1e-4);
        }
    }

    private static double dot(DiffTransformer model, String a, String b) {
        float[] x = model.namedParameters().get(a).getArray().toFloatArray();
        float[] y = model.namedParameters().get(b).getArray().toFloatArray();
        double sum = 0;
        for (int i = 0; i < x.length; i++) {
            sum += (double) x[i] * y[i];
        }
        return sum;
    }
}
