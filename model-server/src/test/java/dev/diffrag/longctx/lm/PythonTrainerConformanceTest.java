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
 * its PyTorch outputs) are loaded by {@link ModelCheckpoint#load} and run here.
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
