package dev.diffrag.model.bench;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.diffrag.model.AttentionKind;
import dev.diffrag.model.DiffTransformer;
import dev.diffrag.model.ModelConfig;
import dev.diffrag.model.Devices;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Forward (prefill) throughput of DIFF V1, DIFF V2 and vanilla attention at the same parameter budget, measured
 * side by side in one run: for each sequence length and batch the three models run in an order rotated per
 * repetition, after a warm-up, and each one's median time gives tokens/s and its ratio to vanilla.
 *
 * <p>Writes {@code attention-throughput.json} and {@code attention-throughput.md} into the directory given as the
 * first argument (default {@code docs/results}). Settings: {@code -Dbench.reps} (default 5),
 * {@code -Dbench.seqLens} (default 512,2048,4096), {@code -Dbench.batchTokens} (default 8192: the larger batch is
 * batchTokens / seqLen sequences, at least 2).
 */
public final class AttentionThroughputBench {

    static final String COMMAND = "DJL_CACHE_DIR=model-server/target/djl-cache mvn -B -q -pl model-server compile "
            + "exec:java -Dexec.mainClass=dev.diffrag.model.bench.AttentionThroughputBench -Dai.djl.offline=true";

    /** Bench model: small enough for a 2-core CPU, deep enough that every layer type is exercised twice. */
    static final int D_MODEL = 256;
    static final int LAYERS = 2;
    static final int HEAD_DIM = 64;
    static final int VOCAB = 1024;

    private static final AttentionKind[] ORDER = {AttentionKind.VANILLA, AttentionKind.DIFF_V1, AttentionKind.DIFF_V2};

    /** One line of the result table. */
    public record Row(String attention, int seqLen, int batch, double tokensPerSecond, double ratioToVanilla) {}

    public record Result(String command, String measuredAt, String device, int cpus, Map<String, Object> model,
                         int repetitions, List<Row> rows) {}

    private AttentionThroughputBench() {}

    public static void main(String[] args) throws IOException {
        Path out = Path.of(args.length > 0 ? args[0] : "docs/results");
        int reps = Integer.getInteger("bench.reps", 5);
        int batchTokens = Integer.getInteger("bench.batchTokens", 8192);
        int[] seqLens = Arrays.stream(System.getProperty("bench.seqLens", "512,2048,4096").split(","))
                .mapToInt(s -> Integer.parseInt(s.trim())).toArray();
        int maxLength = Arrays.stream(seqLens).max().orElseThrow();

        Engine.getInstance().setRandomSeed(1234);
        Device device = Devices.pick();
        List<Row> rows = new ArrayList<>();
        Map<String, Object> modelInfo = new java.util.LinkedHashMap<>();
        try (NDManager manager = NDManager.newBaseManager(device)) {
            Map<AttentionKind, DiffTransformer> models = new EnumMap<>(AttentionKind.class);
            for (AttentionKind kind : ORDER) {
                ModelConfig config = ModelConfig.of(kind, D_MODEL, LAYERS, HEAD_DIM, true, VOCAB, maxLength, false);
                DiffTransformer model = new DiffTransformer(config);
                model.initialize(manager, DataType.FLOAT32, new Shape(1, 8));
                models.put(kind, model);
                modelInfo.put(label(kind), Map.of("heads", config.heads(), "ffnHidden", config.ffnHidden(),
                        "parameters", model.parameterCount()));
            }
            modelInfo.put("dModel", D_MODEL);
            modelInfo.put("layers", LAYERS);
            modelInfo.put("headDim", HEAD_DIM);
            modelInfo.put("causal", true);
            modelInfo.put("output", "hidden states (no LM head)");
            System.out.printf("device %s, %d CPUs, dModel=%d layers=%d headDim=%d causal, %d repetitions%n",
                    device, Runtime.getRuntime().availableProcessors(), D_MODEL, LAYERS, HEAD_DIM, reps);
            models.forEach((kind, model) -> System.out.printf("  %-7s heads=%d ffnHidden=%d parameters=%,d%n",
                    label(kind), model.config().heads(), model.config().ffnHidden(), model.parameterCount()));
            System.out.printf("%-8s %6s %5s %14s %9s%n", "attention", "seqLen", "batch", "tokens/s", "ratio");

            ParameterStore ps = new ParameterStore(manager, false);
            for (int seqLen : seqLens) {
                for (int batch : new int[] {1, Math.max(2, batchTokens / seqLen)}) {
                    rows.addAll(measure(manager, ps, models, seqLen, batch, reps));
                }
            }
        }
        write(out, new Result(COMMAND, Instant.now().toString(), device.toString(),
                Runtime.getRuntime().availableProcessors(), modelInfo, reps, rows));
    }

    private static List<Row> measure(NDManager manager, ParameterStore ps, Map<AttentionKind, DiffTransformer> models,
                                     int seqLen, int batch, int reps) {
        NDArray ids = manager.randomInteger(0, VOCAB, new Shape(batch, seqLen), DataType.INT64);
        Map<AttentionKind, double[]> seconds = new EnumMap<>(AttentionKind.class);
        for (AttentionKind kind : ORDER) {
            forwardSeconds(models.get(kind), ps, ids); // warm-up
            seconds.put(kind, new double[reps]);
        }
        for (int rep = 0; rep < reps; rep++) {
            for (int i = 0; i < ORDER.length; i++) {
                AttentionKind kind = ORDER[(i + rep) % ORDER.length]; // rotate who goes first
                seconds.get(kind)[rep] = forwardSeconds(models.get(kind), ps, ids);
            }
        }
        ids.close();
        double tokens = (double) batch * seqLen;
        double vanilla = tokens / median(seconds.get(AttentionKind.VANILLA));
        List<Row> rows = new ArrayList<>();
        for (AttentionKind kind : ORDER) {
            double perSecond = tokens / median(seconds.get(kind));
            Row row = new Row(label(kind), seqLen, batch, round(perSecond, 1), round(perSecond / vanilla, 3));
            System.out.printf("%-8s %6d %5d %14.1f %9.3f%n", row.attention(), seqLen, batch, row.tokensPerSecond(),
                    row.ratioToVanilla());
            rows.add(row);
        }
        return rows;
    }

    /** One inference forward pass; every intermediate array lives in a scope closed afterwards. */
    private static double forwardSeconds(DiffTransformer model, ParameterStore ps, NDArray ids) {
        try (NDManager scope = ids.getManager().newSubManager()) {
            NDArray input = ids.duplicate();
            input.attach(scope);
            long start = System.nanoTime();
            NDArray hidden = model.forward(ps, new NDList(input), false).head();
            hidden.getFloat(0, 0, 0); // make sure the result exists on the host
            return (System.nanoTime() - start) / 1e9;
        }
    }

    private static void write(Path directory, Result result) throws IOException {
        Files.createDirectories(directory);
        ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        Path json = directory.resolve("attention-throughput.json");
        mapper.writeValue(json.toFile(), result);

        StringBuilder md = new StringBuilder();
        md.append("# Attention throughput: DIFF V1, DIFF V2 and vanilla at equal parameters\n\n")
                .append("Forward (prefill) tokens/s of the whole model, median of ").append(result.repetitions())
                .append(" repetitions after a warm-up, the three kinds interleaved in a rotated order per repetition.")
                .append(" Measured ").append(result.measuredAt()).append(" on ").append(result.device())
                .append(" (").append(result.cpus()).append(" CPUs). Model: dModel=").append(D_MODEL)
                .append(", layers=").append(LAYERS).append(", headDim=").append(HEAD_DIM)
                .append(", causal, float32, hidden states out (no LM head).\n\n");
        md.append("| attention | heads | ffnHidden | parameters |\n|---|---:|---:|---:|\n");
        for (AttentionKind kind : ORDER) {
            @SuppressWarnings("unchecked")
            Map<String, Object> info = (Map<String, Object>) result.model().get(label(kind));
            md.append(String.format("| %s | %s | %s | %,d |%n", label(kind), info.get("heads"), info.get("ffnHidden"),
                    (Long) info.get("parameters")));
        }
        md.append("\n| attention | seqLen | batch | tokens/s | ratio to vanilla |\n|---|---:|---:|---:|---:|\n");
        for (Row row : result.rows()) {
            md.append(String.format("| %s | %d | %d | %.1f | %.3f |%n", row.attention(), row.seqLen(), row.batch(),
                    row.tokensPerSecond(), row.ratioToVanilla()));
        }
        md.append("\nRegenerate (from the repository root):\n\n```\n").append(result.command()).append("\n```\n");
        Path markdown = directory.resolve("attention-throughput.md");
        Files.writeString(markdown, md.toString());
        System.out.println("wrote " + json.toAbsolutePath() + " and " + markdown.toAbsolutePath());
    }

    private static String label(AttentionKind kind) {
        return switch (kind) {
            case DIFF_V1 -> "V1";
            case DIFF_V2 -> "V2";
            case VANILLA -> "vanilla";
        };
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    private static double round(double value, int digits) {
        double scale = Math.pow(10, digits);
        return Math.round(value * scale) / scale;
    }
}
