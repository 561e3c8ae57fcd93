package dev.diffrag.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.params.provider.Arguments;

/** Small models with deliberately large random weights, so attention is peaked and every term matters. */
final class Fixtures {

    static final int VOCAB = 50;

    private Fixtures() {}

    /** Every attention kind, bidirectional and causal: the arguments (kind, causal) of a parameterized test. */
    static List<Arguments> kindsAndCausality() {
        List<Arguments> cases = new ArrayList<>();
        for (AttentionKind kind : AttentionKind.values()) {
            for (boolean causal : new boolean[] {false, true}) {
                cases.add(Arguments.of(kind, causal));
            }
        }
        return cases;
    }

    static ModelConfig config(AttentionKind kind, boolean causal, boolean lmHead) {
        return ModelConfig.of(kind, 32, 2, 8, causal, VOCAB, 64, lmHead);
    }

    /** A built, initialised model whose weights are redrawn from a seeded Java Random. */
    static DiffTransformer model(NDManager manager, ModelConfig config, long seed) {
        DiffTransformer model = new DiffTransformer(config);
        model.initialize(manager, DataType.FLOAT32, new Shape(1, 4));
        Random random = new Random(seed);
        for (Parameter parameter : model.namedParameters().values()) {
            NDArray array = parameter.getArray();
            float[] values = new float[Math.toIntExact(array.size())];
            for (int i = 0; i < values.length; i++) {
                double gaussian = random.nextGaussian();
                values[i] = (float) switch (parameter.getType()) {
                    case GAMMA -> 1 + 0.2 * gaussian;   // norm gains near 1 but not 1
                    case OTHER -> 0.3 * gaussian;       // λ vectors: λ well away from λinit
                    default -> 0.3 * gaussian;          // projections: peaked attention
                };
            }
            array.set(values);
        }
        return model;
    }

    static int[][] tokens(long seed, int batch, int length) {
        Random random = new Random(seed);
        int[][] ids = new int[batch][length];
        for (int[] row : ids) {
            for (int t = 0; t < length; t++) {
                row[t] = random.nextInt(VOCAB);
            }
        }
        return ids;
    }

    static double[][][] gaussian(long seed, int batch, int length, int width) {
        Random random = new Random(seed);
        double[][][] x = new double[batch][length][width];
        for (double[][] sequence : x) {
            for (double[] row : sequence) {
                for (int c = 0; c < width; c++) {
                    row[c] = random.nextGaussian();
                }
            }
        }
        return x;
    }

    /** real[b][t] = t < lengths[b]. */
    static boolean[][] real(int length, int... lengths) {
        boolean[][] real = new boolean[lengths.length][length];
        for (int b = 0; b < lengths.length; b++) {
            for (int t = 0; t < lengths[b]; t++) {
                real[b][t] = true;
            }
        }
        return real;
    }

    static NDArray ids(NDManager manager, int[][] ids) {
        return manager.create(ids);
    }

    static NDArray mask(NDManager manager, boolean[][] real) {
        int[][] values = new int[real.length][real[0].length];
        for (int b = 0; b < real.length; b++) {
            for (int t = 0; t < real[b].length; t++) {
                values[b][t] = real[b][t] ? 1 : 0;
            }
        }
        return manager.create(values);
    }

    static NDArray floats(NDManager manager, double[][][] x) {
        float[] flat = new float[x.length * x[0].length * x[0][0].length];
        int i = 0;
        for (double[][] sequence : x) {
            for (double[] row : sequence) {
                for (double value : row) {
                    flat[i++] = (float) value;
                }
            }
        }
        return manager.create(flat, new Shape(x.length, x[0].length, x[0][0].length));
    }

    /** Batch item b of a (B, T, C) array as (T × C) doubles. */
    static double[][] item(NDArray array, int b) {
        Shape shape = array.getShape();
        int length = Math.toIntExact(shape.get(1));
        int width = Math.toIntExact(shape.get(2));
        float[] flat = array.get(b).toType(DataType.FLOAT32, false).toFloatArray();
        double[][] out = new double[length][width];
        for (int t = 0; t < length; t++) {
            for (int c = 0; c < width; c++) {
                out[t][c] = flat[t * width + c];
            }
        }
        return out;
    }

    /** max |actual − expected| / max |expected| over the rows where rows[t] is true. */
    static double relativeError(double[][] actual, double[][] expected, boolean[] rows) {
        double maxDiff = 0;
        double maxRef = 0;
        for (int t = 0; t < expected.length; t++) {
            if (!rows[t]) {
                continue;
            }
            for (int c = 0; c < expected[t].length; c++) {
                maxDiff = Math.max(maxDiff, Math.abs(actual[t][c] - expected[t][c]));
                maxRef = Math.max(maxRef, Math.abs(expected[t][c]));
            }
        }
        return maxDiff / maxRef;
    }
}
