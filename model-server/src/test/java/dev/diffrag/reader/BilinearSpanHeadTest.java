package dev.diffrag.reader;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Device;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import dev.diffrag.answer.Passage;
import dev.diffrag.model.AttentionKind;
import dev.diffrag.model.Autograd;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bilinear span head computes start_i = h_i · W_s q and end_i = h_i · W_e q with q pooled over [CLS] and the
 * question's positions only (checked against a plain-Java computation on a padded batch), and it survives a
 * checkpoint.
 */
class BilinearSpanHeadTest {

    private static final ReaderConfig CONFIG = ReaderConfig.of(AttentionKind.DIFF_V2,
            ReaderConfig.Input.TOKEN_EMBEDDINGS, 32, 1, 16, 256).withSpanHead(ReaderConfig.SpanHead.BILINEAR);
    private static final List<Passage> PASSAGES = List.of(new Passage("p0", "The Eiffel Tower was built in 1889."),
            new Passage("p1", "Gustave Eiffel's company designed and built the tower in Paris."));

    private static NDManager manager;
    private static ReaderFeaturizer featurizer;
    private static ReaderModel model;

    @BeforeAll
    static void build() {
        manager = NDManager.newBaseManager(Device.cpu());
        featurizer = new ReaderFeaturizer(CONFIG, 1L << 24, 1);
        model = new ReaderModel(CONFIG);
        model.initialize(manager, DataType.FLOAT32, new Shape(1, 1), new Shape(1, 1), new Shape(1, 1));
    }

    @AfterAll
    static void close() {
        featurizer.close();
        manager.close();
    }

    /** A long and a short input: the short one is padded, and its padding has the question's segment id 0. */
    private static List<ReaderFeaturizer.Encoded> batch() {
        return List.of(featurizer.encode("When was the Eiffel Tower built?", PASSAGES),
                featurizer.encode("Who designed it?", PASSAGES.subList(0, 1)));
    }

    @Test
    void scoresArePositionStatesTimesTheQuestionVectorPooledOverTheQuestionOnly() {
        assertThat(model.namedParameters()).containsKeys("span_pool.weight", "span_bilinear.weight")
                .doesNotContainKey("span_head.weight");
        List<ReaderFeaturizer.Encoded> batch = batch();
        try (NDManager scope = manager.newSubManager()) {
            NDList inputs = featurizer.inputs(batch, CONFIG.input(), scope);
            ParameterStore ps = new ParameterStore(scope, false);
            float[][] outputs = Autograd.off(() -> {
                NDList logits = model.forward(ps, inputs, false);
                return new float[][] {logits.get(0).toFloatArray(), logits.get(1).toFloatArray(),
                        model.hidden(ps, inputs, false).toFloatArray()};
            });
            int width = CONFIG.encoder().dModel();
            int length = (int) inputs.get(1).getShape().get(1);
            float[] pool = model.namedParameters().get("span_pool.weight").getArray().toFloatArray();
            float[] bilinear = model.namedParameters().get("span_bilinear.weight").getArray().toFloatArray();
            for (int b = 0; b < batch.size(); b++) {
                ReaderSequence sequence = batch.get(b).sequence();
                double[][] h = new double[length][width];
                for (int t = 0; t < length; t++) {
                    for (int k = 0; k < width; k++) {
                        h[t][k] = outputs[2][(b * length + t) * width + k];
                    }
                }
                // softmax of h_t · pool over [CLS] and the question's tokens
                double[] weight = new double[length];
                double max = Double.NEGATIVE_INFINITY;
                for (int t = 0; t < sequence.length(); t++) {
                    if (t == 0 || sequence.source(t) == ReaderSequence.QUESTION) {
                        weight[t] = dot(h[t], pool, 0);
                        max = Math.max(max, weight[t]);
                    }
                }
                double sum = 0;
                for (int t = 0; t < sequence.length(); t++) {
                    boolean pooled = t == 0 || sequence.source(t) == ReaderSequence.QUESTION;
                    weight[t] = pooled ? Math.exp(weight[t] - max) : 0;
                    sum += weight[t];
                }
                double[] q = new double[width];
                for (int t = 0; t < length; t++) {
                    for (int k = 0; k < width; k++) {
                        q[k] += weight[t] / sum * h[t][k];
                    }
                }
                for (int head = 0; head < 2; head++) {
                    double[] wq = new double[width]; // row block `head` of (2D, D) times q
                    for (int r = 0; r < width; r++) {
                        wq[r] = dot(q, bilinear, (head * width + r) * width);
                    }
                    for (int t = 0; t < sequence.length(); t++) {
                        double expected = 0;
                        for (int k = 0; k < width; k++) {
                            expected += h[t][k] * wq[k];
                        }
                        assertThat((double) outputs[head][b * length + t]).isCloseTo(expected,
                                within(1e-4 * Math.max(1, Math.abs(expected))));
                    }
                }
            }
        }
    }

    private static double dot(double[] a, float[] b, int offset) {
        double sum = 0;
        for (int k = 0; k < a.length; k++) {
            sum += a[k] * b[offset + k];
        }
        return sum;
    }

    @Test
    void aBilinearReaderSurvivesACheckpoint(@TempDir Path dir) throws Exception {
        try (NDManager scope = manager.newSubManager()) {
            NDList inputs = featurizer.inputs(batch(), CONFIG.input(), scope);
            float[] before = Autograd.off(() -> model.forward(new ParameterStore(scope, false), inputs, false).get(0)
                    .toFloatArray());
            ReaderCheckpoint.save(dir, model, new Calibration(0.5, 0, "test", 0, 0, 0));
            try (NDManager loadedManager = NDManager.newBaseManager(Device.cpu())) {
                ReaderModel loaded = ReaderCheckpoint.load(dir, loadedManager).model();
                assertThat(loaded.config().spanHead()).isEqualTo(ReaderConfig.SpanHead.BILINEAR);
                float[] after = Autograd.off(() -> loaded.forward(new ParameterStore(scope, false), inputs, false)
                        .get(0).toFloatArray());
                assertThat(after).containsExactly(before, within(2e-2f));
            }
        }
    }
}
