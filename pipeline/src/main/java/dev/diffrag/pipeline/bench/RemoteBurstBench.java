package dev.diffrag.pipeline.bench;

import ai.djl.Device;
import dev.diffrag.answer.AnswerRequest;
import dev.diffrag.answer.Passage;
import dev.diffrag.connectors.Json;
import dev.diffrag.model.Devices;
import dev.diffrag.pipeline.answer.AnswerConfig;
import dev.diffrag.pipeline.answer.RemoteAnswerer;
import dev.diffrag.pipeline.answer.RemoteAnswererConfig;
import dev.diffrag.serving.MicroBatcher;
import dev.diffrag.serving.ModelServer;
import dev.diffrag.serving.ServedModels;
import dev.diffrag.serving.ServerConfig;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A burst of questions through the remote answerer against a model server running the default reader, for the
 * per-attempt timeout the remote answerer had before (2 s) and the one it has now (30 s), side by side on one server.
 * Each row sends N questions at once ({@link RemoteAnswerer}, two retries, 16 in flight), each with five fresh
 * 800-character passages cut from the essays (no row reads a passage an earlier row's features were cached for), and
 * reports how many questions were answered, the burst's wall time, and how many requests the server's model computed
 * and answered 504 (given up on when the client's {@code X-Request-Timeout-Ms} ran out).
 *
 * <p>Usage: {@code RemoteBurstBench <data dir, e.g. ../shared/data> [output dir, default docs/results]}.
 */
public final class RemoteBurstBench {

    private static final long[] ATTEMPT_TIMEOUTS_MS = {2_000, RemoteAnswererConfig.defaults().timeoutMs()};
    private static final int[] BURSTS = {1, 4, 16};
    private static final int PASSAGES = 5;
    private static final int PASSAGE_CHARS = 800;
    private static final String QUESTION = "What does the author say matters most?";

    private record Row(long attemptTimeoutMs, int questions, int answered, long wallMs, long computed, long gaveUp) {}

    private RemoteBurstBench() {}

    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            System.err.println("usage: RemoteBurstBench <data dir, e.g. ../shared/data> [output dir]");
            System.exit(2);
        }
        Path out = Path.of(args.length > 1 ? args[1] : "docs/results");
        Iterator<String> passages = passages(Path.of(args[0], "longctx", "paul-graham-essays")).iterator();
        double loadAtStart = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
        ServerConfig config = ServerConfig.defaults().withPort(0);
        Device device = Devices.pick();
        List<Row> rows = new ArrayList<>();
        try (ModelServer server = new ModelServer(config, device, ServedModels.answerer(config), null).start()) {
            for (long timeoutMs : ATTEMPT_TIMEOUTS_MS) {
                for (int n : BURSTS) {
                    rows.add(burst(server, timeoutMs, n, passages));
                    System.out.println(rows.get(rows.size() - 1));
                }
            }
        }
        write(out, rows, args, device, loadAtStart);
    }

    private static Row burst(ModelServer server, long timeoutMs, int n, Iterator<String> passages) throws Exception {
        String url = "http://127.0.0.1:" + server.port();
        List<AnswerRequest> questions = new ArrayList<>();
        for (int q = 0; q < n; q++) {
            List<Passage> contexts = new ArrayList<>();
            for (int p = 0; p < PASSAGES; p++) {
                contexts.add(new Passage("q" + q + "-p" + p, passages.next()));
            }
            questions.add(new AnswerRequest(QUESTION, contexts));
        }
        Map<String, Double> before = metrics(url);
        RemoteAnswerer remote = new RemoteAnswerer(new RemoteAnswererConfig(url, timeoutMs, 2, 16, null),
                AnswerConfig.defaults().timeoutMs()); // the pipeline's budget for an answer
        long start = System.nanoTime();
        int answered;
        try {
            answered = remote.answer(questions).size();
        } catch (MicroBatcher.PartialFailure e) {
            answered = n - e.failed();
        } catch (RemoteAnswerer.RemoteAnswerException e) {
            answered = 0; // the one question failed (several that fail are a PartialFailure, all of them or some)
        }
        long wallMs = (System.nanoTime() - start) / 1_000_000;
        // The server's queue is first in, first out: once a patient request behind the burst is answered, everything
        // the burst left there has been computed or dropped.
        new RemoteAnswerer(new RemoteAnswererConfig(url, 600_000, 0, 1, null), 600_000).answer(List.of(new AnswerRequest(
                "Is the queue empty?", List.of(new Passage("drain", "The queue is empty now.")))));
        Map<String, Double> after = metrics(url);
        long computed = Math.round(delta(before, after, "diffrag_batch_size_sum{role=\"answer\"}")) - 1;
        long gaveUp = Math.round(delta(before, after, "diffrag_http_requests_total{route=\"/v1/answer\",status=\"504\"}"));
        return new Row(timeoutMs, n, answered, wallMs, computed, gaveUp);
    }

    /** Consecutive 800-character pieces of every essay, in file name order. */
    private static List<String> passages(Path essays) throws IOException {
        List<String> pieces = new ArrayList<>();
        try (Stream<Path> files = Files.list(essays)) {
            for (Path file : files.sorted().toList()) {
                String text = Files.readString(file).strip();
                for (int at = 0; at + PASSAGE_CHARS <= text.length(); at += PASSAGE_CHARS) {
                    pieces.add(text.substring(at, at + PASSAGE_CHARS));
                }
            }
        }
        return pieces;
    }

    private static Map<String, Double> metrics(String url) throws Exception {
        String text = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        Map<String, Double> samples = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            int space = line.lastIndexOf(' ');
            if (!line.startsWith("#") && space > 0) {
                samples.put(line.substring(0, space), Double.parseDouble(line.substring(space + 1)));
            }
        }
        return samples;
    }

    private static double delta(Map<String, Double> before, Map<String, Double> after, String sample) {
        return after.getOrDefault(sample, 0.0) - before.getOrDefault(sample, 0.0);
    }

    private static void write(Path out, List<Row> rows, String[] args, Device device, double loadAtStart)
            throws IOException {
        double loadAtEnd = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
        StringBuilder table = new StringBuilder("| attempt timeout ms | questions | answered | wall ms "
                + "| requests the model computed | 504s (given up by the server) |\n|---:|---:|---:|---:|---:|---:|\n");
        for (Row row : rows) {
            table.append(String.format(Locale.ROOT, "| %d | %d | %d | %d | %d | %d |%n", row.attemptTimeoutMs(),
                    row.questions(), row.answered(), row.wallMs(), row.computed(), row.gaveUp()));
        }
        System.out.print(table);
        Files.createDirectories(out);
        Files.writeString(out.resolve("remote-burst.json"),
                Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(Map.of("rows", rows)) + "\n");
        Files.writeString(out.resolve("remote-burst.md"), "# Remote answerer under a burst\n\n"
                + "Produced by `dev.diffrag.pipeline.bench.RemoteBurstBench` (see README.md, Benchmark) with arguments `"
                + String.join(" ", args) + "` on " + device + ", " + Runtime.getRuntime().availableProcessors()
                + " CPU cores (1-minute load average " + String.format(Locale.ROOT, "%.1f", loadAtStart)
                + " at the start, " + String.format(Locale.ROOT, "%.1f", loadAtEnd) + " at the end). Model server: "
                + "default reader and settings (batches of up to 16); client: `RemoteAnswerer`, two retries, 16 in "
                + "flight; each question has five fresh 800-character passages; `answered`: questions answered after "
                + "any retries (the job answers the others with abstentions).\n\n"
                + table);
    }
}
