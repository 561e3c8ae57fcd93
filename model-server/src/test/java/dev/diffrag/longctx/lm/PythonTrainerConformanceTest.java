package dev.diffrag.longctx.lm;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.diffrag.model.DiffTransformer;
import dev.diffrag.model.io.ModelCheckpoint;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The GPU trainer ({@code model-server/python}) and the Java model must compute the same function: fixtures written by
 * {@code conformance.py} (a random model per attention kind, with weights large enough that every term matters, and
 * its PyTorch outputs; the same for a random {@link AnswerPointer}) are loaded by {@link ModelCheckpoint#load} and
 * {@link AnswerPointer#load} and run here.
 */
class PythonTrainerConformanceTest {

    private static final double TOLERANCE = 1e-4;

    @ParameterizedTest
    @ValueSource(strings = {"diff-v1", "diff-v2", "vanilla"})
    void javaReproducesThePythonModelsOutputs(String name) throws Exception {
        Path dir = fixture(name);
        JsonNode expected = new ObjectMapper().readTree(dir.resolve("expected.json").toFile());
        try (NDManager manager = NDManager.newBaseManager()) {
            DiffTransformer model = ModelCheckpoint.load(dir, manager);
            ParameterStore ps = new ParameterStore(manager, false);
            NDArray ids = manager.create(longs(expected.get("ids"), 2, 12)).reshape(2, 12);
            NDArray positions = manager.create(longs(expected.get("positions"), 2, 3)).reshape(2, 3);

            float[] hidden = model.encode(ps, ids, null, false, null).toFloatArray();
            float[] logits = new AnswerLm(model).forward(ps,
                    new NDList(ids, manager.ones(ids.getShape()), positions), false).head().toFloatArray();

            assertClose(hidden, flatten(expected.get("hidden")));
            assertClose(logits, flatten(expected.get("logits")));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"pointer-diff-v1", "pointer-diff-v2", "pointer-vanilla"})
    void javaPointsWhereThePythonPointerPoints(String name) throws Exception {
        Path dir = fixture(name);
        JsonNode expected = new ObjectMapper().readTree(dir.resolve("expected.json").toFile());
        try (NDManager manager = NDManager.newBaseManager()) {
            AnswerPointer pointer = AnswerPointer.load(dir, manager);
            NDArray ids = manager.create(longs(expected.get("ids"), 2, 12)).reshape(2, 12);
            NDArray queries = manager.create(longs(expected.get("queries"), 2, 2)).reshape(2, 2);
            long[] context = longs(expected.get("contextMask"), 2, 12);
            NDArray contextMask = manager.create(context).reshape(2, 12);

            float[] logits = pointer.forward(new ParameterStore(manager, false),
                    new NDList(ids, manager.ones(ids.getShape()), queries, contextMask), false).head().toFloatArray();

            // (2, 4, 12): real scores at context positions, FORBIDDEN added elsewhere; compared on the real ones
            List<Double> all = flatten(expected.get("pointerLogits"));
            assertThat(logits).hasSize(all.size());
            List<Double> wanted = new ArrayList<>();
            List<Float> got = new ArrayList<>();
            for (int i = 0; i < logits.length; i++) {
                if (context[(i / (4 * 12)) * 12 + i % 12] == 1) {
                    wanted.add(all.get(i));
                    got.add(logits[i]);
                } else {
                    assertThat(logits[i]).isLessThan(AnswerPointer.FORBIDDEN / 2);
                }
            }
            float[] real = new float[got.size()];
            for (int i = 0; i < real.length; i++) {
                real[i] = got.get(i);
            }
            assertClose(real, wanted);
        }
    }

    private static void assertClose(float[] actual, List<Double> expected) {
        assertThat(actual).hasSize(expected.size());
        double scale = expected.stream().mapToDouble(Math::abs).max().orElseThrow();
        assertThat(scale).isGreaterThan(0.1);
        for (int i = 0; i < actual.length; i++) {
            assertThat(Math.abs(actual[i] - expected.get(i)) / scale).as("element %d", i).isLessThan(TOLERANCE);
        }
    }

    private static long[] longs(JsonNode nested, int rows, int columns) {
        List<Double> values = flatten(nested);
        assertThat(values).hasSize(rows * columns);
        return values.stream().mapToLong(Double::longValue).toArray();
    }

    private static List<Double> flatten(JsonNode node) {
        List<Double> values = new ArrayList<>();
        if (node.isArray()) {
            node.forEach(child -> values.addAll(flatten(child)));
        } else {
            values.add(node.asDouble());
        }
        return values;
    }

    private static Path fixture(String name) throws URISyntaxException {
        return Path.of(PythonTrainerConformanceTest.class.getResource("/python-conformance/" + name).toURI());
    }
}
