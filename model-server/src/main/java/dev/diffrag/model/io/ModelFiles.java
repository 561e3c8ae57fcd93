package dev.diffrag.model.io;

import ai.djl.nn.Parameter;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * A saved model is a directory holding {@value #WEIGHTS} (the parameters by name) and {@value #CONFIG} (the
 * configuration record that rebuilds the architecture), the layout HuggingFace uses. Training checkpoints add their
 * own files beside these, so every checkpoint is also a loadable model.
 */
public final class ModelFiles {

    public static final String WEIGHTS = "model.safetensors";
    public static final String CONFIG = "config.json";

    /**
     * Strict both ways: an unknown or missing field in a config file is an error, not a silent default, and so is a
     * fraction for a whole number (Jackson would cut 64.9 down to 64).
     */
    public static final ObjectMapper JSON = JsonMapper.builder()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_MISSING_CREATOR_PROPERTIES)
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
            .build();

    private ModelFiles() {}

    /** Writes {@code config} as {@value #CONFIG} and the parameters as {@value #WEIGHTS} into {@code directory}. */
    public static void save(Path directory, Object config, Map<String, Parameter> parameters,
            SafeTensors.Dtype floatStorage) throws IOException {
        Files.createDirectories(directory);
        writeJson(directory.resolve(CONFIG), config);
        Weights.save(directory.resolve(WEIGHTS), parameters, Map.of("format", "pt"), floatStorage);
    }

    /** Reads the {@value #CONFIG} of {@code directory} as a {@code type}. */
    public static <T> T readConfig(Path directory, Class<T> type) throws IOException {
        return readJson(directory.resolve(CONFIG), type);
    }

    /** Loads {@value #WEIGHTS} of {@code directory} into {@code parameters}; see {@link Weights#load}. */
    public static void loadWeights(Path directory, Map<String, Parameter> parameters) throws IOException {
        Weights.load(directory.resolve(WEIGHTS), parameters);
    }

    /** Writes {@code value} as {@code file} whole or not at all ({@link AtomicFiles}), creating its folder. */
    public static void writeJson(Path file, Object value) throws IOException {
        AtomicFiles.write(file, out -> JSON.writeValue(out, value));
    }

    public static <T> T readJson(Path file, Class<T> type) throws IOException {
        try {
            return JSON.readValue(file.toFile(), type);
        } catch (IOException e) {
            throw new IOException("cannot read " + file + " as " + type.getSimpleName() + ": " + e.getMessage(), e);
        }
    }
}
