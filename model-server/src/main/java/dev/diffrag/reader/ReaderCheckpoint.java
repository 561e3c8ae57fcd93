package dev.diffrag.reader;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.diffrag.model.io.ModelFiles;
import dev.diffrag.model.io.SafeTensors;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A trained reader on disk: {@value ModelFiles#CONFIG} (the {@link ReaderConfig}), {@value ModelFiles#WEIGHTS} and
 * {@value Calibration#FILE}. The shipped readers lie on the classpath under {@value #RESOURCES}{@code <name>/}.
 */
public final class ReaderCheckpoint {

    public static final String RESOURCES = "/reader/";
    private static final List<String> FILES = List.of(ModelFiles.CONFIG, ModelFiles.WEIGHTS, Calibration.FILE);

    /** A loaded reader and its threshold. */
    public record Loaded(ReaderModel model, Calibration calibration) {}

    private ReaderCheckpoint() {}

    /** Writes the reader with float16 weights (half the size; loading converts them to the type it computes in). */
    public static void save(Path directory, ReaderModel model, Calibration calibration) throws IOException {
        saveWeights(directory, model);
        ModelFiles.writeJson(directory.resolve(Calibration.FILE), calibration);
    }

    /** Writes the reader's config and float16 weights, without a calibration. */
    static void saveWeights(Path directory, ReaderModel model) throws IOException {
        ModelFiles.save(directory, model.config(), model.namedParameters(), SafeTensors.Dtype.F16);
    }

    /** Loads a reader into {@code manager} (its device) in float32. */
    public static Loaded load(Path directory, NDManager manager) throws IOException {
        return load(directory, manager, DataType.FLOAT32);
    }

    /** Loads a reader into {@code manager} (its device), computing in {@code dataType}. */
    public static Loaded load(Path directory, NDManager manager, DataType dataType) throws IOException {
        ReaderModel model = loadModel(directory, manager, dataType);
        return new Loaded(model, ModelFiles.readJson(directory.resolve(Calibration.FILE), Calibration.class));
    }

    /** Loads a reader's weights without its calibration (which {@code reader calibrate} is about to replace). */
    static ReaderModel loadModel(Path directory, NDManager manager, DataType dataType) throws IOException {
        ReaderConfig config = ModelFiles.readConfig(directory, ReaderConfig.class);
        ReaderModel model = new ReaderModel(config);
        model.initialize(manager, dataType, new Shape(1, 1), new Shape(1, 1), new Shape(1, 1));
        ModelFiles.loadWeights(directory, model.namedParameters());
        return model;
    }

    /** Whether the classpath holds a shipped reader {@code name}. */
    public static boolean isShipped(String name) {
        return ReaderCheckpoint.class.getResource(RESOURCES + name + "/" + ModelFiles.CONFIG) != null;
    }

    /** Loads the shipped reader {@code name} (e.g. {@code diff-v1}) from the classpath, in float32. */
    public static Loaded loadResource(String name, NDManager manager) throws IOException {
        return loadResource(name, manager, DataType.FLOAT32);
    }

    /** Loads the shipped reader {@code name} from the classpath, computing in {@code dataType}. */
    public static Loaded loadResource(String name, NDManager manager, DataType dataType) throws IOException {
        Path directory = Files.createTempDirectory("reader-" + name);
        try {
            for (String file : FILES) {
                String resource = RESOURCES + name + "/" + file;
                try (InputStream in = ReaderCheckpoint.class.getResourceAsStream(resource)) {
                    if (in == null) {
                        throw new IOException("no shipped reader " + name + ": " + resource + " is not on the classpath");
                    }
                    Files.copy(in, directory.resolve(file));
                }
            }
            return load(directory, manager, dataType);
        } finally {
            for (String file : FILES) {
                Files.deleteIfExists(directory.resolve(file));
            }
            Files.delete(directory);
        }
    }
}
