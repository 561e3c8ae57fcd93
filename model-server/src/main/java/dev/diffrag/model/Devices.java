package dev.diffrag.model;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.types.DataType;
import ai.djl.pytorch.jni.JniUtils;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Picks where and in which precision the model runs: CUDA when the engine sees a GPU, else the CPU; float32 on
 * the CPU, float32 or a 16-bit type on a GPU (softmax and λ stay float32 inside the model either way).
 * Overrides: system property {@code diffrag.device} or env {@code DIFFRAG_DEVICE} ("cpu", "gpu", "gpu:1"; "auto" is
 * the default choice), and
 * {@code diffrag.dtype} / {@code DIFFRAG_DTYPE} ("float32", "bfloat16", "float16").
 */
public final class Devices {

    private static final Logger LOG = LoggerFactory.getLogger(Devices.class);

    private Devices() {}

    /** The device to run on, logged once per call. */
    public static Device pick() {
        String requested = setting("diffrag.device", "DIFFRAG_DEVICE");
        Device device;
        // "auto" is the default model-server/README.md names, so setting it must not fail the start.
        if (requested != null && !requested.equalsIgnoreCase("auto")) {
            device = parseDevice(requested);
        } else {
            device = Engine.getInstance().getGpuCount() > 0 ? Device.gpu() : Device.cpu();
        }
        LOG.info("model device: {} (engine {} {}, GPUs visible: {}, intra-op threads: {})", device,
                Engine.getInstance().getEngineName(), Engine.getInstance().getVersion(),
                Engine.getInstance().getGpuCount(), JniUtils.getNumThreads());
        return device;
    }

    /**
     * Where a training run computed, for its record. The same seed gives bitwise the same weights only on the same
     * kind of processor with the same number of intra-op threads: a reduction split over another number of threads
     * rounds differently, and over thousands of updates the difference grows to that of another seed
     * (model-server/README.md, Using it).
     *
     * @param cpu the processor model from /proc/cpuinfo, else the JVM's os.arch
     */
    public record ComputeEnvironment(String device, String engine, int intraOpThreads, int processors, String cpu) {

        public static ComputeEnvironment of(Device device) {
            Engine engine = Engine.getInstance();
            return new ComputeEnvironment(device.toString(), engine.getEngineName() + " " + engine.getVersion(),
                    JniUtils.getNumThreads(), Runtime.getRuntime().availableProcessors(), cpuModel());
        }

        private static String cpuModel() {
            try (Stream<String> lines = Files.lines(Path.of("/proc/cpuinfo"))) {
                return lines.filter(line -> line.startsWith("model name")).findFirst()
                        .map(line -> line.substring(line.indexOf(':') + 1).trim())
                        .orElse(System.getProperty("os.arch"));
            } catch (IOException | RuntimeException e) { // no /proc (not Linux) or unreadable
                return System.getProperty("os.arch");
            }
        }
    }

    /** float32 on the CPU; on a GPU the requested type (default float32). */
    public static DataType dataType(Device device) {
        String requested = setting("diffrag.dtype", "DIFFRAG_DTYPE");
        DataType type = requested == null ? DataType.FLOAT32 : parse(requested);
        if (!device.isGpu() && type != DataType.FLOAT32) {
            LOG.warn("{} requested on {}; the CPU runs float32", type, device);
            type = DataType.FLOAT32;
        }
        LOG.info("model data type: {}", type);
        return type;
    }

    private static final Pattern GPU_NAME = Pattern.compile("gpu(?::?(\\d+))?");

    /**
     * "cpu", "gpu" (the first GPU, as chosen automatically) or "gpu:N"/"gpuN". Not DJL's Device.fromName, which refuses
     * "gpu:1" and reads "gpu" as gpu(-1), a device that equals no array's device.
     */
    private static Device parseDevice(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        if (lower.equals("cpu")) {
            return Device.cpu();
        }
        Matcher gpu = GPU_NAME.matcher(lower);
        if (gpu.matches()) {
            return gpu.group(1) == null ? Device.gpu() : Device.gpu(Integer.parseInt(gpu.group(1)));
        }
        throw new IllegalArgumentException("unknown device '" + name + "', expected auto, cpu, gpu or gpu:N");
    }

    private static DataType parse(String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "float32", "fp32" -> DataType.FLOAT32;
            case "bfloat16", "bf16" -> DataType.BFLOAT16;
            case "float16", "fp16" -> DataType.FLOAT16;
            default -> throw new IllegalArgumentException("unknown data type '" + name
                    + "', expected float32, bfloat16 or float16");
        };
    }

    private static String setting(String property, String env) {
        String value = System.getProperty(property);
        if (value == null || value.isBlank()) {
            value = System.getenv(env);
        }
        return value == null || value.isBlank() ? null : value.trim();
    }
}
