package dev.diffrag.model.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import dev.diffrag.model.AttentionKind;
import dev.diffrag.model.DiffTransformer;
import dev.diffrag.model.ModelConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class ModelCheckpointTest {

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

    private DiffTransformer model(ModelConfig config) {
        DiffTransformer model = new DiffTransformer(config);
        model.initialize(manager, DataType.FLOAT32, new Shape(1, 4));
        return model;
    }

    /** Logits for a padded batch of two sequences. */
    private float[] outputs(DiffTransformer model) {
        NDArray ids = manager.create(new long[][] {{3, 9, 4, 7, 1, 2}, {5, 5, 8, 0, 0, 0}});
        NDArray real = manager.create(new float[][] {{1, 1, 1, 1, 1, 1}, {1, 1, 1, 0, 0, 0}});
        return model.forward(new ParameterStore(manager, false), new NDList(ids, real), false).head().toFloatArray();
    }

    @ParameterizedTest
    @EnumSource(AttentionKind.class)
    void aLoadedModelGivesIdenticalOutputs(AttentionKind kind) throws IOException {
        ModelConfig config = ModelConfig.causalLm(kind, 32, 2, 8, 16, 32);
        DiffTransformer saved = model(config);
        ModelCheckpoint.save(dir, saved);

        DiffTransformer loaded = ModelCheckpoint.load(dir, manager);

        assertThat(loaded.config()).isEqualTo(config);
        assertThat(Files.readString(dir.resolve(ModelFiles.CONFIG))).contains("\"attention\" : \"" + kind + "\"");
        assertThat(outputs(loaded)).containsExactly(outputs(saved));
        assertThat(outputs(model(config))).isNotEqualTo(outputs(saved));
    }

    @Test
    void namesTheTensorsAfterTheReferenceCode() throws IOException {
        ModelCheckpoint.save(dir, model(ModelConfig.encoder(AttentionKind.DIFF_V1, 32, 1, 8, 16, 32)));

        assertThat(SafeTensors.read(dir.resolve(ModelFiles.WEIGHTS), manager).tensors()).containsKeys(
                "embed_tokens.weight", "layers.0.attn.q_proj.weight", "layers.0.attn.k_proj.weight",
                "layers.0.attn.v_proj.weight", "layers.0.attn.out_proj.weight", "layers.0.attn.lambda_q1",
                "layers.0.attn.lambda_k1", "layers.0.attn.lambda_q2", "layers.0.attn.lambda_k2",
                "layers.0.attn.subln.weight", "norm.weight");
    }

    @Test
    void bfloat16StorageHalvesTheFileAndKeepsOutputsClose() throws IOException {
        DiffTransformer saved = model(ModelConfig.causalLm(AttentionKind.DIFF_V1, 32, 2, 8, 16, 32));
        Path full = dir.resolve("f32");
        Path half = dir.resolve("bf16");
        ModelCheckpoint.save(full, saved);
        ModelCheckpoint.save(half, saved, SafeTensors.Dtype.BF16);

        assertThat(Files.size(half.resolve(ModelFiles.WEIGHTS)))
                .isLessThan(Files.size(full.resolve(ModelFiles.WEIGHTS)) * 6 / 10);
        float[] expected = outputs(saved);
        float[] actual = outputs(ModelCheckpoint.load(half, manager));
        for (int i = 0; i < expected.length; i++) {
            assertThat(actual[i]).isCloseTo(expected[i], within(0.02f));
        }
    }

    @Test
    void aConfigThatDoesNotMatchTheWeightsIsAClearError() throws IOException {
        ModelCheckpoint.save(dir, model(ModelConfig.causalLm(AttentionKind.DIFF_V1, 32, 2, 8, 16, 32)));
        Path config = dir.resolve(ModelFiles.CONFIG);
        Files.writeString(config, Files.readString(config).replace("\"DIFF_V1\"", "\"VANILLA\"")
                .replace("\"heads\" : 2", "\"heads\" : 4"));

        assertThatThrownBy(() -> ModelCheckpoint.load(dir, manager))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("unexpected tensor layers.0.attn.lambda_q1")
                .hasMessageContaining("unexpected tensor layers.1.attn.subln.weight");

        Files.writeString(config, Files.readString(config).replace("\"layers\"", "\"depth\""));
        assertThatThrownBy(() -> ModelCheckpoint.load(dir, manager))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("cannot read")
                .hasMessageContaining("'layers'");
    }
}
