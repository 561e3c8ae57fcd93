package dev.diffrag.serving.bench;

import ai.djl.Device;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.diffrag.answer.BestSentenceAnswerer;
import dev.diffrag.model.io.AtomicFiles;
import dev.diffrag.serving.AnswerApi;
import dev.diffrag.serving.ModelServer;
import dev.diffrag.serving.ServerConfig;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Load test of the model server on loopback: for each max batch size (1, 4, 16) a fresh server with the baseline
 * answerer, driven open-loop (requests sent on a fixed schedule, whatever the responses do) at rising rates until the
 * first rate at which the bounded queue answers 429. Prints throughput and p50/p99 latency of the answered requests
 * per step, checks that every request got exactly one response and that the server counted exactly the requests sent
 * (none lost), and writes {@code docs/results/serving-load.json} and {@code .md}.
 *
 * <p>Bounded in time: at most {@link #RATES} steps of {@link #STEP} per batch size, plus draining.
 * Usage: {@code ServingLoadBench [outputDir]} (default {@code docs/results}); see model-server/README.md.
 */
public final class ServingLoadBench {

    private static final int[] MAX_BATCH_SIZES = {1, 4, 16};
    private static final int[] RATES = {1, 2, 4, 8, 16, 32, 64, 128, 256, 512};
    private static final Duration STEP = Duration.ofSeconds(4);
    private static final Duration DRAIN = Duration.ofSeconds(60);
    /** How long the server's request counter may lag the last response. */
    private static final Duration COUNTER_PATIENCE = Duration.ofSeconds(2);
    /** Small enough that an overloaded server rejects within one step instead of queueing for many seconds. */
    private static final int QUEUE_CAPACITY = 64;
    private static final long MAX_BATCH_DELAY_MS = 10;

    /** Passages of a few sentences each, so every request has real sentences to embed and compare. */
    private static final List<String> PASSAGES = List.of(
            "Neptune is the eighth and farthest known planet from the Sun. It is an ice giant, denser than Uranus. "
                    + "Its atmosphere shows active weather with the strongest winds in the Solar System.",
            "Johannes Gutenberg introduced printing with movable metal type to Europe around 1440. "
                    + "His hand mould made it possible to cast type quickly and in large quantities.",
            "Alabama is a state in the southeastern United States. Its capital is Montgomery. "
                    + "The largest city by population is Huntsville.",
            "Firefighting aims to put out fires that threaten life, property and the environment. "
                    + "Firefighters need training in rescue, hazardous materials and first aid.",
            "Thorin Oakenshield leads the company of dwarves in The Hobbit. "
                    + "He seeks to reclaim the Lonely Mountain and its treasure from the dragon Smaug.");
    private static final List<String> QUESTIONS = List.of(
            "What type of planet is Neptune?",
            "Who introduced movable type printing to Europe?",
            "What is the capital of Alabama?",
            "What training do firefighters need?",
            "Which dragon guards the Lonely Mountain?",
            "How old is the universe?");

    record Row(int maxBatch, int offeredRps, double achievedRps, double p50Ms, double p99Ms, int rejected, int lost) {}

    private final ObjectMapper json = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private final List<byte[]> bodies = new ArrayList<>();

    private ServingLoadBench() throws IOException {
        for (int i = 0; i < QUESTIONS.size(); i++) {
            List<AnswerApi.Context> contexts = new ArrayList<>();
            for (int j = 0; j < PASSAGES.size(); j++) {
                contexts.add(new AnswerApi.Context("p" + ((i + j) % PASSAGES.size()),
                        PASSAGES.get((i + j) % PASSAGES.size())));
            }
            bodies.add(json.writeValueAsBytes(new AnswerApi.Request(QUESTIONS.get(i), contexts, null)));
        }
    }

    public static void main(String[] args) throws Exception {
        Path out = Path.of(args.length > 0 ? args[0] : "docs/results");
        List<Row> rows = new ServingLoadBench().run();
        write(out, rows);
    }

    private List<Row> run() throws Exception {
        System.out.printf("%8s %10s %11s %8s %8s %9s %5s%n",
                "maxBatch", "offeredRps", "achievedRps", "p50Ms", "p99Ms", "rejected", "lost");
        List<Row> rows = new ArrayList<>();
        for (int maxBatch : MAX_BATCH_SIZES) {
            ServerConfig config = ServerConfig.defaults().withPort(0)
                    .withBatching(maxBatch, MAX_BATCH_DELAY_MS, QUEUE_CAPACITY);
            try (ModelServer server = new ModelServer(config, Device.cpu(),
                    new BestSentenceAnswerer(BestSentenceAnswerer.DEFAULT_THRESHOLD), null).start("127.0.0.1")) {
                Integer firstRejecting = null;
                for (int rate : RATES) {
                    Row row = step(server, maxBatch, rate);
                    rows.add(row);
                    System.out.printf("%8d %10d %11.1f %8.1f %8.1f %9d %5d%n", row.maxBatch(), row.offeredRps(),
                            row.achievedRps(), row.p50Ms(), row.p99Ms(), row.rejected(), row.lost());
                    if (row.rejected() > 0) {
                        firstRejecting = rate;
                        break;
                    }
                }
                System.out.println(firstRejecting == null
                        ? "maxBatch " + maxBatch + ": no 429 up to " + RATES[RATES.length - 1] + " rps"
                        : "maxBatch " + maxBatch + ": 429s start at " + firstRejecting + " rps offered");
            }
        }
        return rows;
    }

    /** Sends {@code rate} requests a second for {@link #STEP}, on schedule, then waits for every response. */
    private Row step(ModelServer server, int maxBatch, int rate) throws Exception {
        URI endpoint = URI.create("http://127.0.0.1:" + server.port() + AnswerApi.PATH);
        double countedBefore = answerRequestsCounted(server);
        int total = (int) (rate * STEP.toMillis() / 1000);
        AtomicIntegerArray responses = new AtomicIntegerArray(total);
        long[] latencyNanos = new long[total];
        int[] status = new int[total];
        long[] completedAt = new long[total];
        List<CompletableFuture<?>> pending = new ArrayList<>(total);
        long intervalNanos = TimeUnit.SECONDS.toNanos(1) / rate;
        long start = System.nanoTime();
        for (int i = 0; i < total; i++) {
            long due = start + i * intervalNanos;
            long wait = due - System.nanoTime();
            if (wait > 0) {
                TimeUnit.NANOSECONDS.sleep(wait);
            }
            int id = i;
            long sent = System.nanoTime();
            HttpRequest request = HttpRequest.newBuilder(endpoint).timeout(DRAIN)
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(bodies.get(i % bodies.size()))).build();
            pending.add(http.sendAsync(request, HttpResponse.BodyHandlers.ofString()).whenComplete((response, e) -> {
                long now = System.nanoTime();
                latencyNanos[id] = now - sent;
                completedAt[id] = now;
                status[id] = e != null ? -1 : checked(response);
                responses.incrementAndGet(id);
            }));
        }
        try {
            CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new))
                    .get(DRAIN.toSeconds(), TimeUnit.SECONDS);
        } catch (Exception e) {
            // Counted below: a request without a completion is lost.
        }
        int ok = 0;
        int rejected = 0;
        int errors = 0;
        int lost = 0;
        long lastOk = start;
        List<Long> okLatencies = new ArrayList<>();
        for (int i = 0; i < total; i++) {
            int count = responses.get(i);
            if (count != 1) {
                lost++; // none, or (impossible over HTTP/1.1, but checked) more than one
                continue;
            }
            switch (status[i]) {
                case 200 -> {
                    ok++;
                    okLatencies.add(latencyNanos[i]);
                    lastOk = Math.max(lastOk, completedAt[i]);
                }
                case 429 -> rejected++;
                default -> errors++;
            }
        }
        double counted = countReaching(() -> answerRequestsCounted(server) - countedBefore, total, COUNTER_PATIENCE);
        if (counted != total) {
            throw new IllegalStateException("the server counted " + counted + " answer requests, the client sent "
                    + total + " (maxBatch " + maxBatch + ", " + rate + " rps)");
        }
        if (errors > 0) {
            throw new IllegalStateException(errors + " requests failed with neither 200 nor 429 (maxBatch "
                    + maxBatch + ", " + rate + " rps)");
        }
        long[] sorted = okLatencies.stream().mapToLong(Long::longValue).sorted().toArray();
        return new Row(maxBatch, rate, achievedRps(ok, start, lastOk), percentileMs(sorted, 0.50),
                percentileMs(sorted, 0.99), rejected, lost);
    }

    /**
     * The count {@code counter} reads once it reaches {@code expected}, or its last reading after {@code patience}.
     * Javalin runs the request logger, which counts a request, after it has written the response, so the last
     * responses can arrive before the server counted them.
     */
    static double countReaching(Callable<Double> counter, double expected, Duration patience) throws Exception {
        long deadline = System.nanoTime() + patience.toNanos();
        double count = counter.call();
        while (count != expected && System.nanoTime() < deadline) {
            TimeUnit.MILLISECONDS.sleep(20);
            count = counter.call();
        }
        return count;
    }

    /**
     * Answers per second over the step: from the first send until the last answer, but never less than the
     * {@link #STEP} over which the requests were offered. The last request leaves one interval before the step ends,
     * so a server that keeps up answers it before then, and dividing by the time to that answer alone would count
     * the step's requests in less than the step (4 requests at 1 rps, answered in 120 ms: 1.3 rps).
     */
    static double achievedRps(int answered, long startNanos, long lastAnswerNanos) {
        return answered * 1e9 / Math.max(STEP.toNanos(), lastAnswerNanos - startNanos);
    }

    /** The status, after checking that a 200 carries an answer (the body must parse and say whether it abstained). */
    private int checked(HttpResponse<String> response) {
        if (response.statusCode() == 200) {
            try {
                JsonNode answer = json.readTree(response.body());
                if (!answer.has("abstained") || !answer.has("model")) {
                    return -2;
                }
            } catch (IOException e) {
                return -2;
            }
        }
        return response.statusCode();
    }

    private static final Pattern ANSWER_COUNT =
            Pattern.compile("diffrag_http_requests_total\\{route=\"/v1/answer\",status=\"\\d+\"} ([0-9.eE+]+)");

    /** Requests to /v1/answer the server has counted so far, every status together, read from /metrics. */
    private double answerRequestsCounted(ModelServer server) throws Exception {
        HttpResponse<String> metrics = http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString());
        double sum = 0;
        Matcher m = ANSWER_COUNT.matcher(metrics.body());
        while (m.find()) {
            sum += Double.parseDouble(m.group(1));
        }
        return sum;
    }

    private static double percentileMs(long[] sorted, double q) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int index = (int) Math.ceil(q * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))] / 1e6;
    }

    private static void write(Path out, List<Row> rows) throws IOException {
        Files.createDirectories(out);
        ObjectMapper json = new ObjectMapper();
        ObjectNode root = json.createObjectNode();
        ArrayNode array = root.putArray("rows");
        for (Row row : rows) {
            ObjectNode node = array.addObject();
            node.put("maxBatch", row.maxBatch());
            node.put("offeredRps", row.offeredRps());
            node.put("achievedRps", round(row.achievedRps()));
            putMs(node, "p50Ms", row.p50Ms());
            putMs(node, "p99Ms", row.p99Ms());
            node.put("rejected", row.rejected());
            node.put("lost", row.lost());
        }
        AtomicFiles.writeString(out.resolve("serving-load.json"),
                json.writerWithDefaultPrettyPrinter().writeValueAsString(root) + "\n");

        StringBuilder md = new StringBuilder();
        md.append("# Model server load test\n\n")
                .append("Generated by `dev.diffrag.serving.bench.ServingLoadBench` (see model-server/README.md):\n\n")
                .append("```bash\n").append(COMMAND).append("```\n\n")
                .append(String.format(Locale.ROOT, "Baseline answerer (`%s`, all-MiniLM-L6-v2 on the CPU), loopback,"
                        + " open-loop load for %d s per step, queue capacity %d, max batch delay %d ms; requests of "
                        + "one question and %d passages. Each batch size stops at the first rate with 429s. "
                        + "`lost` counts requests without exactly one response; the server's request counter "
                        + "matched the requests sent in every step. Machine: %d CPUs visible to the JVM, load average "
                        + "%.1f when the run ended (the load generator shares them with the server).\n\n",
                        BestSentenceAnswerer.NAME, STEP.toSeconds(), QUEUE_CAPACITY, MAX_BATCH_DELAY_MS,
                        PASSAGES.size(), Runtime.getRuntime().availableProcessors(),
                        ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage()))
                .append("| maxBatch | offered rps | achieved rps | p50 ms | p99 ms | rejected (429) | lost |\n")
                .append("|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Row row : rows) {
            md.append(String.format(Locale.ROOT, "| %d | %d | %.1f | %.1f | %.1f | %d | %d |%n", row.maxBatch(),
                    row.offeredRps(), row.achievedRps(), row.p50Ms(), row.p99Ms(), row.rejected(), row.lost()));
        }
        AtomicFiles.writeString(out.resolve("serving-load.md"), md.toString());
        System.out.println("wrote " + out.resolve("serving-load.json") + " and " + out.resolve("serving-load.md"));
    }

    private static double round(double value) {
        return Math.round(value * 10) / 10.0;
    }

    /** A percentile, or null when no request of the step was answered (JSON has no NaN). */
    private static void putMs(ObjectNode node, String field, double ms) {
        if (Double.isNaN(ms)) {
            node.putNull(field);
        } else {
            node.put(field, round(ms));
        }
    }

    static final String COMMAND = """
            mvn -B -q -pl model-server -am -DskipTests package dependency:build-classpath \\
                -Dmdep.outputFile=target/runtime.classpath -DincludeScope=runtime
            DJL_CACHE_DIR=model-server/target/djl-cache java -Dai.djl.offline=true \\
                -cp "model-server/target/classes:$(cat model-server/target/runtime.classpath)" \\
                dev.diffrag.serving.bench.ServingLoadBench
            """;
}
