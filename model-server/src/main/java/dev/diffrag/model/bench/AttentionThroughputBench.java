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
import dev.diffrag.model.KvCache;
import dev.diffrag.model.ModelConfig;
import dev.diffrag.model.Devices;
import dev.diffrag.model.io.AtomicFiles;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeSet;
import java.util.function.ToDoubleFunction;

/**
 * Forward (prefill) throughput of DIFF V1, DIFF V2 and vanilla attention at the same parameter budget, measured
 * side by side in one run: for each sequence length and batch the three models run in an order rotated per
 * repetition, after a warm-up, and each one's fastest repetition gives tokens/s and its ratio to vanilla.
 *
 * <p>Time is the CPU time of the calling thread: PyTorch runs with one intra-op thread, so every kernel executes
 * inline on it, and time the thread spends descheduled by other jobs on the shared machine is not counted. On an
 * idle core it equals wall-clock time; wall-clock throughput is reported beside it.
 *
 * <p>Writes {@code attention-throughput.json} and {@code attention-throughput.md} into the directory given as the
 * first argument (default {@code docs/results}). Settings: {@code -Dbench.reps} (default 5),
 * {@code -Dbench.seqLens} (default 512,2048,4096), {@code -Dbench.batchTokens} (default 8192: the larger batch is
 * batchTokens / seqLen sequences, at least 2), {@code -Dbench.widths} (default 256,512,1024,2048: the dModels of the
 * width sweep, one sequence of {@value #WIDTH_SEQ_LEN} tokens each).
 */
public final class AttentionThroughputBench {

    /**
     * One PyTorch thread: on a CPU shared with other jobs, two OpenMP threads spin-waiting on each other measured
     * 2–4× slower and far noisier than one; ratios between the kinds are what this benchmark is for.
     */
    static final String COMMAND = "OMP_NUM_THREADS=1 DJL_CACHE_DIR=model-server/target/djl-cache "
            + "mvn -B -q -pl model-server compile exec:java "
            + "-Dexec.mainClass=dev.diffrag.model.bench.AttentionThroughputBench -Dai.djl.offline=true "
            + "-Dai.djl.pytorch.num_threads=1 -Dai.djl.pytorch.num_interop_threads=1";

    /** Bench model: small enough for a 2-core CPU, deep enough that every layer type is exercised twice. */
    static final int D_MODEL = 256;
    static final int LAYERS = 2;
    static final int HEAD_DIM = 64;
    static final int VOCAB = 1024;

    private static final AttentionKind[] ORDER = {AttentionKind.VANILLA, AttentionKind.DIFF_V1, AttentionKind.DIFF_V2};

    /** One line of the result table; tokensPerSecond is per second of thread CPU time. */
    public record Row(String attention, int seqLen, int batch, double tokensPerSecond, double ratioToVanilla,
                      double wallTokensPerSecond) {}

    /** Incremental decoding with the KV cache: tokens/s of single-token steps after a prefilled context. */
    public record DecodeRow(String attention, int contextLength, int batch, double tokensPerSecond,
                            double ratioToVanilla, double wallTokensPerSecond) {}

    /** Seconds of one timed run: thread CPU time and wall-clock time. */
    private record Timing(double cpu, double wall) {}

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    public record Result(String command, String measuredAt, String device, int cpus, Map<String, Object> model,
                         int repetitions, List<Row> rows, List<DecodeRow> decodeRows, List<WidthRow> widthRows) {}

    /** Single-token decoding steps timed per repetition, after the prefill. */
    static final int DECODE_STEPS = 16;

    /**
     * The width sweep's sequence length: the one the targets name. The sweep shows how the ratios depend on how much of
     * the work is attention scores (which DIFF V2 doubles) rather than projections and FFN (which it does not).
     */
    static final int WIDTH_SEQ_LEN = 2048;

    /** Prefill at {@link #WIDTH_SEQ_LEN} tokens, batch 1, for one model width. */
    public record WidthRow(String attention, int dModel, int heads, long parameters, int seqLen,
                           double tokensPerSecond, double ratioToVanilla, double wallTokensPerSecond) {}

    private AttentionThroughputBench() {}

    public static void main(String[] args) throws IOException {
        Path out = Path.of(args.length > 0 ? args[0] : "docs/results");
        int reps = Integer.getInteger("bench.reps", 5);
        int batchTokens = Integer.getInteger("bench.batchTokens", 8192);
        int[] seqLens = Arrays.stream(System.getProperty("bench.seqLens", "512,2048,4096").split(","))
                .mapToInt(s -> Integer.parseInt(s.trim())).toArray();
        int[] widths = Arrays.stream(System.getProperty("bench.widths", "256,512,1024,2048").split(","))
                .mapToInt(s -> Integer.parseInt(s.trim())).toArray();
        int maxLength = Math.max(WIDTH_SEQ_LEN, Arrays.stream(seqLens).max().orElseThrow() + DECODE_STEPS);

        Engine.getInstance().setRandomSeed(1234);
        Device device = Devices.pick();
        List<Row> rows = new ArrayList<>();
        List<DecodeRow> decodeRows = new ArrayList<>();
        List<WidthRow> widthRows = new ArrayList<>();
        Map<String, Object> modelInfo = new LinkedHashMap<>();
        try (NDManager manager = NDManager.newBaseManager(device)) {
            Map<AttentionKind, DiffTransformer> models = models(manager, D_MODEL, maxLength);
            models.forEach((kind, model) -> {
                Map<String, Object> info = new LinkedHashMap<>(); // fixed key order: diffable reports
                info.put("heads", model.config().heads());
                info.put("ffnHidden", model.config().ffnHidden());
                info.put("parameters", model.parameterCount());
                modelInfo.put(label(kind), info);
            });
            modelInfo.put("dModel", D_MODEL);
            modelInfo.put("layers", LAYERS);
            modelInfo.put("headDim", HEAD_DIM);
            modelInfo.put("causal", true);
            modelInfo.put("pytorchThreads", threads());
            modelInfo.put("output", "hidden states (no LM head)");
            System.out.printf("device %s, %d CPUs, PyTorch threads %s, dModel=%d layers=%d headDim=%d causal, "
                    + "%d repetitions%n", device, Runtime.getRuntime().availableProcessors(), threads(), D_MODEL,
                    LAYERS, HEAD_DIM, reps);
            models.forEach((kind, model) -> System.out.printf("  %-7s heads=%d ffnHidden=%d parameters=%,d%n",
                    label(kind), model.config().heads(), model.config().ffnHidden(), model.parameterCount()));
            System.out.printf("%-8s %6s %5s %14s %9s %14s%n", "attention", "seqLen", "batch", "tokens/cpu-s",
                    "ratio", "tokens/wall-s");

            ParameterStore ps = new ParameterStore(manager, false);
            for (int seqLen : seqLens) {
                for (int batch : new int[] {1, Math.max(2, batchTokens / seqLen)}) {
                    rows.addAll(measure(manager, ps, models, seqLen, batch, reps));
                }
            }
            System.out.printf("%nincremental decoding, %d single-token steps after the context%n", DECODE_STEPS);
            System.out.printf("%-8s %7s %5s %14s %9s %14s%n", "attention", "context", "batch", "tokens/cpu-s",
                    "ratio", "tokens/wall-s");
            for (int context : decodeContexts(seqLens)) {
                decodeRows.addAll(measureDecode(manager, ps, models, context, reps));
            }
            System.out.printf("%nwidth sweep, prefill of %d tokens, batch 1%n", WIDTH_SEQ_LEN);
            for (int width : widths) {
                System.out.printf("dModel %d%n%-8s %6s %5s %14s %9s %14s%n", width, "attention", "seqLen", "batch",
                        "tokens/cpu-s", "ratio", "tokens/wall-s");
                try (NDManager scope = manager.newSubManager()) {
                    Map<AttentionKind, DiffTransformer> wide = models(scope, width, WIDTH_SEQ_LEN);
                    for (Row row : measure(scope, new ParameterStore(scope, false), wide, WIDTH_SEQ_LEN, 1, reps)) {
                        DiffTransformer model = wide.get(kindOf(row.attention()));
                        widthRows.add(new WidthRow(row.attention(), width, model.config().heads(),
                                model.parameterCount(), WIDTH_SEQ_LEN, row.tokensPerSecond(), row.ratioToVanilla(),
                                row.wallTokensPerSecond()));
                    }
                }
            }
        }
        write(out, new Result(command(System.getProperties()), Instant.now().toString(), device.toString(),
                Runtime.getRuntime().availableProcessors(), modelInfo, reps, rows, decodeRows, widthRows));
    }

    /**
     * The command that reproduces this run: {@link #COMMAND} with the {@code bench.*} settings it was given, so that a
     * report from e.g. {@code -Dbench.reps=3 -Dbench.seqLens=512} does not claim the defaults' command.
     */
    static String command(Properties properties) {
        StringBuilder command = new StringBuilder(COMMAND);
        for (String name : new TreeSet<>(properties.stringPropertyNames())) {
            if (name.startsWith("bench.")) {
                command.append(" -D").append(name).append('=').append(properties.getProperty(name));
            }
        }
        return command.toString();
    }

    /** The three kinds at one width, equal parameters (the FFN absorbs the attention kinds' differences). */
    private static Map<AttentionKind, DiffTransformer> models(NDManager manager, int dModel, int maxLength) {
        Map<AttentionKind, DiffTransformer> models = new EnumMap<>(AttentionKind.class);
        for (AttentionKind kind : ORDER) {
            ModelConfig config = ModelConfig.of(kind, dModel, LAYERS, HEAD_DIM, true, VOCAB, maxLength, false);
            DiffTransformer model = new DiffTransformer(config);
            model.initialize(manager, DataType.FLOAT32, new Shape(1, 8));
            models.put(kind, model);
        }
        return models;
    }

    private static List<Row> measure(NDManager manager, ParameterStore ps, Map<AttentionKind, DiffTransformer> models,
                                     int seqLen, int batch, int reps) {
        NDArray ids = manager.randomInteger(0, VOCAB, new Shape(batch, seqLen), DataType.INT64);
        Map<AttentionKind, Timing[]> timings = new EnumMap<>(AttentionKind.class);
        for (AttentionKind kind : ORDER) {
            forward(models.get(kind), ps, ids); // warm-up
            timings.put(kind, new Timing[reps]);
        }
        for (int rep = 0; rep < reps; rep++) {
            for (int i = 0; i < ORDER.length; i++) {
                AttentionKind kind = ORDER[(i + rep) % ORDER.length]; // rotate who goes first
                timings.get(kind)[rep] = forward(models.get(kind), ps, ids);
            }
        }
        ids.close();
        double tokens = (double) batch * seqLen;
        double vanilla = tokens / best(timings.get(AttentionKind.VANILLA), Timing::cpu);
        List<Row> rows = new ArrayList<>();
        for (AttentionKind kind : ORDER) {
            double perSecond = tokens / best(timings.get(kind), Timing::cpu);
            double wall = tokens / best(timings.get(kind), Timing::wall);
            Row row = new Row(label(kind), seqLen, batch, round(perSecond, 1), round(perSecond / vanilla, 3),
                    round(wall, 1));
            System.out.printf("%-8s %6d %5d %14.1f %9.3f %14.1f%n", row.attention(), seqLen, batch,
                    row.tokensPerSecond(), row.ratioToVanilla(), row.wallTokensPerSecond());
            rows.add(row);
        }
        return rows;
    }

    /** Contexts for the decoding measurement: the bench's lengths up to 2048 (decoding from 4096 adds little). */
    private static int[] decodeContexts(int[] seqLens) {
        return Arrays.stream(seqLens).filter(length -> length <= 2048).toArray();
    }

    private static List<DecodeRow> measureDecode(NDManager manager, ParameterStore ps,
                                                 Map<AttentionKind, DiffTransformer> models, int context, int reps) {
        NDArray prompt = manager.randomInteger(0, VOCAB, new Shape(1, context), DataType.INT64);
        NDArray next = manager.randomInteger(0, VOCAB, new Shape(1, DECODE_STEPS), DataType.INT64);
        Map<AttentionKind, Timing[]> timings = new EnumMap<>(AttentionKind.class);
        for (AttentionKind kind : ORDER) {
            decode(models.get(kind), ps, prompt, next); // warm-up
            timings.put(kind, new Timing[reps]);
        }
        for (int rep = 0; rep < reps; rep++) {
            for (int i = 0; i < ORDER.length; i++) {
                AttentionKind kind = ORDER[(i + rep) % ORDER.length];
                timings.get(kind)[rep] = decode(models.get(kind), ps, prompt, next);
            }
        }
        prompt.close();
        next.close();
        double vanilla = DECODE_STEPS / best(timings.get(AttentionKind.VANILLA), Timing::cpu);
        List<DecodeRow> rows = new ArrayList<>();
        for (AttentionKind kind : ORDER) {
            double perSecond = DECODE_STEPS / best(timings.get(kind), Timing::cpu);
            double wall = DECODE_STEPS / best(timings.get(kind), Timing::wall);
            DecodeRow row = new DecodeRow(label(kind), context, 1, round(perSecond, 1), round(perSecond / vanilla, 3),
                    round(wall, 1));
            System.out.printf("%-8s %7d %5d %14.1f %9.3f %14.1f%n", row.attention(), context, 1,
                    row.tokensPerSecond(), row.ratioToVanilla(), row.wallTokensPerSecond());
            rows.add(row);
        }
        return rows;
    }

    /** Prefills the context (untimed), then times DECODE_STEPS single-token steps. */
    private static Timing decode(DiffTransformer model, ParameterStore ps, NDArray prompt, NDArray next) {
        try (NDManager scope = prompt.getManager().newSubManager();
             KvCache cache = model.newCache(scope)) {
            NDArray context = prompt.duplicate();
            context.attach(scope);
            model.forwardStep(ps, context, null, cache);
            long cpuStart = THREADS.getCurrentThreadCpuTime();
            long start = System.nanoTime();
            for (int step = 0; step < DECODE_STEPS; step++) {
                try (NDManager stepScope = scope.newSubManager()) {
                    NDArray token = next.get(":, " + step + ":" + (step + 1)).duplicate();
                    token.attach(stepScope);
                    model.forwardStep(ps, token, null, cache).getFloat(0, 0, 0);
                }
            }
            return new Timing((THREADS.getCurrentThreadCpuTime() - cpuStart) / 1e9, (System.nanoTime() - start) / 1e9);
        }
    }

    /** One inference forward pass; every intermediate array lives in a scope closed afterwards. */
    private static Timing forward(DiffTransformer model, ParameterStore ps, NDArray ids) {
        try (NDManager scope = ids.getManager().newSubManager()) {
            NDArray input = ids.duplicate();
            input.attach(scope);
            long cpuStart = THREADS.getCurrentThreadCpuTime();
            long start = System.nanoTime();
            NDArray hidden = model.forward(ps, new NDList(input), false).head();
            hidden.getFloat(0, 0, 0); // make sure the result exists on the host
            return new Timing((THREADS.getCurrentThreadCpuTime() - cpuStart) / 1e9, (System.nanoTime() - start) / 1e9);
        }
    }

    private static void write(Path directory, Result result) throws IOException {
        Files.createDirectories(directory);
        ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        Path json = directory.resolve("attention-throughput.json");
        mapper.writeValue(json.toFile(), result);

        StringBuilder md = new StringBuilder();
        md.append("# Attention throughput: DIFF V1, DIFF V2 and vanilla at equal parameters\n\n")
                .append("Forward (prefill) tokens/s of the whole model, best of ").append(result.repetitions())
                .append(" repetitions after a warm-up, the three kinds interleaved in a rotated order per repetition.")
                .append(" Measured ").append(result.measuredAt()).append(" on ").append(result.device())
                .append(" (").append(result.cpus()).append(" CPUs, PyTorch threads ")
                .append(result.model().get("pytorchThreads")).append("). Model: dModel=").append(D_MODEL)
                .append(", layers=").append(LAYERS).append(", headDim=").append(HEAD_DIM)
                .append(", causal, float32, hidden states out (no LM head).\n\n");
        md.append("| attention | heads | ffnHidden | parameters |\n|---|---:|---:|---:|\n");
        for (AttentionKind kind : ORDER) {
            @SuppressWarnings("unchecked")
            Map<String, Object> info = (Map<String, Object>) result.model().get(label(kind));
            md.append(String.format("| %s | %s | %s | %,d |%n", label(kind), info.get("heads"), info.get("ffnHidden"),
                    (Long) info.get("parameters")));
        }
        md.append("\nTimes are CPU time of the one thread PyTorch computes on (not counting time the shared machine "
                + "gave to other jobs); wall-clock tokens/s in the last column.\n");
        md.append("\n| attention | seqLen | batch | tokens/s | ratio to vanilla | wall-clock tokens/s |\n"
                + "|---|---:|---:|---:|---:|---:|\n");
        for (Row row : result.rows()) {
            md.append(String.format("| %s | %d | %d | %.1f | %.3f | %.1f |%n", row.attention(), row.seqLen(),
                    row.batch(), row.tokensPerSecond(), row.ratioToVanilla(), row.wallTokensPerSecond()));
        }
        md.append("\nIncremental decoding with the KV cache (batch 1, ").append(DECODE_STEPS)
                .append(" single-token steps timed after an untimed prefill of the context):\n\n")
                .append("| attention | context | batch | tokens/s | ratio to vanilla | wall-clock tokens/s |\n"
                        + "|---|---:|---:|---:|---:|---:|\n");
        for (DecodeRow row : result.decodeRows()) {
            md.append(String.format("| %s | %d | %d | %.1f | %.3f | %.1f |%n", row.attention(), row.contextLength(),
                    row.batch(), row.tokensPerSecond(), row.ratioToVanilla(), row.wallTokensPerSecond()));
        }
        md.append("\nWidth sweep: prefill of ").append(WIDTH_SEQ_LEN).append(" tokens, batch 1, the same depth and head dim "
                + "at other widths (parameters equal per width). DIFF V2 scores twice as many query heads, so its ratio "
                + "depends on how much of the forward pass is attention scores rather than projections and FFN, which "
                + "shrinks as the model widens at a fixed length:\n\n")
                .append("| attention | dModel | heads | parameters | tokens/s | ratio to vanilla | wall-clock tokens/s |\n"
                        + "|---|---:|---:|---:|---:|---:|---:|\n");
        for (WidthRow row : result.widthRows()) {
            md.append(String.format("| %s | %d | %d | %,d | %.1f | %.3f | %.1f |%n", row.attention(), row.dModel(),
                    row.heads(), row.parameters(), row.tokensPerSecond(), row.ratioToVanilla(),
                    row.wallTokensPerSecond()));
        }
        md.append("\nRegenerate (from the repository root):\n\n```\n").append(result.command()).append("\n```\n");
        Path markdown = directory.resolve("attention-throughput.md");
        AtomicFiles.writeString(markdown, md.toString());
        System.out.println("wrote " + json.toAbsolutePath() + " and " + markdown.toAbsolutePath());
    }

    private static String threads() {
        return System.getProperty("ai.djl.pytorch.num_threads", "engine default");
    }

    private static AttentionKind kindOf(String label) {
        return Arrays.stream(ORDER).filter(kind -> label(kind).equals(label)).findFirst().orElseThrow();
    }

    private static String label(AttentionKind kind) {
        return switch (kind) {
            case DIFF_V1 -> "V1";
            case DIFF_V2 -> "V2";
            case VANILLA -> "vanilla";
        };
    }

    /**
     * The fastest repetition: on a shared machine other processes only ever add time, so the minimum is the best
     * estimate of what the computation itself costs (the reasoning of Python's timeit).
     */
    private static double best(Timing[] timings, ToDoubleFunction<Timing> seconds) {
        return Arrays.stream(timings).mapToDouble(seconds).min().orElseThrow();
    }

    private static double round(double value, int digits) {
        double scale = Math.pow(10, digits);
        return Math.round(value * scale) / scale;
    }
}
