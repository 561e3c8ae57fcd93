package dev.diffrag.model.io;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.diffrag.model.DiffTransformer;
import dev.diffrag.model.ModelConfig;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Saves a {@link DiffTransformer} as a directory of {@code config.json} (its {@link ModelConfig}) and
 * {@code model.safetensors} (its parameters under the reference-code names), and rebuilds it from one. Training
 * checkpoints have the same two files, so they load here too.
 */
public final class ModelCheckpoint {

    private ModelCheckpoint() {}

    /** Writes the model with float weights stored as FLOAT32. */
    public static void save(Path directory, DiffTransformer model) throws IOException {
        save(directory, model, SafeTensors.Dtype.F32);
    }

    /** Writes the model with float weights stored as {@code floatStorage} (BF16 or F16 halve the file). */
    public static void save(Path directory, DiffTransformer model, SafeTensors.Dtype floatStorage)
            throws IOException {
        ModelFiles.save(directory, model.config(), model.namedParameters(), floatStorage);
    }

    /** Rebuilds the model in FLOAT32 on {@code manager}'s device. */
    public static DiffTransformer load(Path directory, NDManager manager) throws IOException {
        return load(directory, manager, DataType.FLOAT32);
    }

    /**
     * Rebuilds the model from its config, initialises it in {@code dtype} on {@code manager}'s device and loads the
     * weights strictly (a missing, unexpected or mis-shaped tensor is an error naming it).
     */
    public static DiffTransformer load(Path directory, NDManager manager, DataType dtype) throws IOException {
        return load(directory, ModelFiles.readConfig(directory, ModelConfig.class), manager, dtype);
    }

    /** Loads the saved weights into a model built from {@code config} (the saved one, or a variant of it). */
    public static DiffTransformer load(Path directory, ModelConfig config, NDManager manager, DataType dtype)
            throws IOException {
        DiffTransformer model = new DiffTransformer(config);
        model.initialize(manager, dtype, new Shape(1, 1));
        ModelFiles.loadWeights(directory, model.namedParameters());
        return model;
    }
}
