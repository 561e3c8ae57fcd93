package dev.diffrag.model.io;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.nn.Parameter;
import dev.diffrag.model.Autograd;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Saves and loads a model's parameters, by name, as one safetensors file. Generic over any block: callers pass the
 * block's name-to-parameter map (for the Diff Transformer, its reference-code names such as
 * {@code layers.0.attn.lambda_q1}).
 */
public final class Weights {

    /** All-elements index: assigning through it copies values into a parameter in place, on its own device. */
    private static final NDIndex ALL = new NDIndex("...");

    private Weights() {}

    /** Writes every parameter's current value; FLOAT32 values are stored as {@code floatStorage}. */
    public static void save(Path file, Map<String, Parameter> parameters, Map<String, String> metadata,
            SafeTensors.Dtype floatStorage) throws IOException {
        Map<String, NDArray> arrays = new LinkedHashMap<>();
        parameters.forEach((name, parameter) -> {
            if (!parameter.isInitialized()) {
                throw new IllegalStateException("parameter " + name + " is not initialized; nothing to save");
            }
            arrays.put(name, parameter.getArray());
        });
        SafeTensors.write(file, arrays, metadata, floatStorage);
    }

    /**
     * Copies the tensors of {@code file} into the already initialized {@code parameters}, converting to each
     * parameter's data type and device. Strict: a missing, unexpected or mis-shaped tensor is an error that names
     * every such tensor, and then no parameter has been changed.
     *
     * @return the file's metadata
     */
    public static Map<String, String> load(Path file, Map<String, Parameter> parameters) throws IOException {
        try (NDManager scratch = NDManager.newBaseManager()) {
            SafeTensors.Contents contents = SafeTensors.read(file, scratch);
            Map<String, NDArray> tensors = contents.tensors();
            List<String> problems = new ArrayList<>();
            for (String name : new TreeSet<>(parameters.keySet())) {
                NDArray tensor = tensors.get(name);
                Parameter parameter = parameters.get(name);
                if (tensor == null) {
                    problems.add("missing tensor " + name);
                } else if (!parameter.isInitialized()) {
                    problems.add("parameter " + name + " is not initialized");
                } else if (!tensor.getShape().equals(parameter.getArray().getShape())) {
                    problems.add("tensor " + name + " has shape " + tensor.getShape() + " but the parameter has "
                            + parameter.getArray().getShape());
                }
            }
            for (String name : new TreeSet<>(tensors.keySet())) {
                if (!parameters.containsKey(name)) {
                    problems.add("unexpected tensor " + name);
                }
            }
            if (!problems.isEmpty()) {
                throw new IOException("cannot load " + file + " into this model: " + String.join("; ", problems));
            }
            return Autograd.off(() -> {
                parameters.forEach((name, parameter) -> {
                    NDArray target = parameter.getArray();
                    // Move first, then convert: the engine handles BF16 only on CUDA, so the cast must happen there.
                    target.set(ALL, tensors.get(name).toDevice(target.getDevice(), false)
                            .toType(target.getDataType(), false));
                });
                return contents.metadata();
            });
        }
    }
}
