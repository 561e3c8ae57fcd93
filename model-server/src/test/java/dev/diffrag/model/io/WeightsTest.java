package dev.diffrag.model.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Parameter files on a small stand-in block (the Diff Transformer's own round trip is in ModelCheckpointTest). */
class WeightsTest {

    @TempDir
    Path dir;

    private NDManager manager;

    @BeforeEach
    void open() {
        manager = NDManager.newBaseManager();
    }

    @AfterEach
    void close() {
        manager.close();
    }

    private Block mlp(int hidden) {
        Block block = new SequentialBlock()
                .add(Linear.builder().setUnits(hidden).build())
                .add(Linear.builder().setUnits(3).optBias(false).build());
        block.initialize(manager, DataType.FLOAT32, new Shape(2, 4));
        return block;
    }

    private static Map<String, Parameter> named(Block block) {
        Map<String, Parameter> named = new LinkedHashMap<>();
        block.getParameters().forEach(pair -> named.put(pair.getKey(), pair.getValue()));
        return named;
    }

    private NDArray run(Block block, NDArray input) {
        return block.forward(new ParameterStore(manager, false), new NDList(input), false).head();
    }

    @Test
    void loadedWeightsGiveIdenticalOutputs() throws IOException {
        Block saved = mlp(5);
        Block fresh = mlp(5);
        NDArray input = manager.randomNormal(new Shape(2, 4));
        assertThat(run(fresh, input).toFloatArray()).isNotEqualTo(run(saved, input).toFloatArray());

        Weights.save(dir.resolve("w.safetensors"), named(saved), Map.of("note", "x"), SafeTensors.Dtype.F32);
        Map<String, String> metadata = Weights.load(dir.resolve("w.safetensors"), named(fresh));

        assertThat(metadata).containsEntry("note", "x");
        assertThat(run(fresh, input).toFloatArray()).containsExactly(run(saved, input).toFloatArray());
    }

    @Test
    void aFileThatDoesNotFitIsRejectedNamingEveryProblemAndChangesNothing() throws IOException {
        Map<String, Parameter> source = named(mlp(5));
        Parameter dropped = source.remove("02Linear_weight");
        source.put("extra.weight", dropped);
        Weights.save(dir.resolve("w.safetensors"), source, Map.of(), SafeTensors.Dtype.F32);
        Map<String, Parameter> target = named(mlp(6));
        float[] before = target.get("01Linear_bias").getArray().toFloatArray();

        assertThatThrownBy(() -> Weights.load(dir.resolve("w.safetensors"), target))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("missing tensor 02Linear_weight")
                .hasMessageContaining("unexpected tensor extra.weight")
                .hasMessageContaining("tensor 01Linear_weight has shape (5, 4) but the parameter has (6, 4)")
                .hasMessageContaining("tensor 01Linear_bias has shape (5) but the parameter has (6)");
        assertThat(target.get("01Linear_bias").getArray().toFloatArray()).containsExactly(before);
    }
}
