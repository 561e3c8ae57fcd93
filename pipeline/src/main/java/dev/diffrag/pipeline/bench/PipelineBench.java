package dev.diffrag.pipeline.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.diffrag.connectors.Json;
import dev.diffrag.connectors.kafka.KafkaConfig;
import dev.diffrag.connectors.kafka.TopicAdmin;
import dev.diffrag.connectors.local.EmbeddedKafka;
import dev.diffrag.connectors.records.DocumentRecord;
import dev.diffrag.connectors.records.QuestionRecord;
import dev.diffrag.pipeline.PipelineConfig;
import dev.diffrag.pipeline.RagJob;
import dev.diffrag.pipeline.answer.AnswerConfig;
import dev.diffrag.pipeline.ingest.Chunker;
import dev.diffrag.pipeline.local.RagClient;
import dev.diffrag.pipeline.retrieve.IndexConfig;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.model.embedding.onnx.allminilml6v2.AllMiniLmL6V2EmbeddingModel;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.zip.GZIPInputStream;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.FileUtils;

/**
 * The pipeline's benchmark, one command, all measurements side by side in one run on this machine:
 * <ol>
 *   <li>retrieval recall@5 of BM25, vector and hybrid ranking on the XQuAD (English) questions over all XQuAD
 *       paragraphs ({@link RetrievalRecall}, the job's own index and fusion code, no streaming);</li>
 *   <li>ingest throughput of the embedding model called directly on a set of documents, chunked as the job chunks,
 *       one model per embedding subtask of the job (measured again after 4, and averaged);</li>
 *   <li>freshness lag (document produced → searchable, the job's {@code freshnessLagMs} histogram) while documents
 *       arrive at a steady rate of half that throughput;</li>
 *   <li>ingest throughput of the whole pipeline (Kafka → parse → chunk → embed → index) on the same documents as 2,
 *       and the ratio of the two;</li>
 *   <li>question latency (question sent → answer read back from Kafka) at a steady question rate once at least
 *       10,000 chunks are indexed, with the baseline answerer.</li>
 * </ol>
 * Usage: {@code PipelineBench <data dir, e.g. ../shared/data> [output dir, default docs/results]}.
 */
public final class PipelineBench {

    /** Smaller chunks than the job's default, so the shared data set yields the 10k chunks the latency run needs. */
    private static final IndexConfig BENCH_INDEX = new IndexConfig(300, 30, 1_000_000, 2_000, 5, 5_000);
    private static final int PARALLELISM = 2;
    private static final int RATIO_DOCUMENTS = 400;
    private static final Duration FRESHNESS_RUN = Duration.ofSeconds(40);
    private static final Duration QUESTION_RUN = Duration.ofSeconds(40);
    private static final double QUESTIONS_PER_SECOND = 4;
    private static final int MIN_CHUNKS = 10_000;
    private static final Duration WAIT = Duration.ofMinutes(6);

    record Doc(String id, String title, String text) {}

    private PipelineBench() {}

    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            System.err.println("usage: PipelineBench <data dir, e.g. ../shared/data> [output dir]");
            System.exit(2);
        }
        Path data = Path.of(args[0]);
        Path out = Path.of(args.length > 1 ? args[1] : "docs/results");
        long start = System.nanoTime();
        double loadAtStart = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();

        RetrievalRecall.Result recall = RetrievalRecall.measure(data.resolve("qa/xquad-en.json"), IndexConfig.defaults());
        System.out.printf("recall@5 on %d XQuAD questions: bm25 %.3f, vector %.3f, hybrid %.3f%n",
                recall.questions(), recall.bm25(), recall.vector(), recall.hybrid());

        List<Doc> passages = nqPassages(data.resolve("qa/nq-open-oracle.jsonl.gz"));
        List<String> questions = nqQuestions(data.resolve("qa/nq-open-oracle.jsonl.gz"));
        List<Doc> ratioDocs = passages.subList(0, RATIO_DOCUMENTS);
        List<Doc> freshDocs = passages.subList(RATIO_DOCUMENTS, passages.size());
        // Bulk documents interleave the three sources, so any prefix is a mix of short and long documents.
        List<Doc> bulkDocs = interleave(passages.subList(RATIO_DOCUMENTS, passages.size()),
                essays(data.resolve("longctx/paul-graham-essays")), articles(data.resolve("summarization/cnndm-250.jsonl")));

        Chunker chunker = new Chunker(BENCH_INDEX.chunkSize(), BENCH_INDEX.chunkOverlap());
        int ratioChunks = ratioDocs.stream().mapToInt(doc -> chunker.split(doc.text()).size()).sum();
        double rawChunksPerSecond = rawEmbedderThroughput(ratioDocs, chunker, AllMiniLmL6V2EmbeddingModel::new);
        double rawDocsPerSecond = rawChunksPerSecond * ratioDocs.size() / ratioChunks;
        System.out.printf("raw embedder: %d documents, %d chunks, %.1f chunks/s%n",
                ratioDocs.size(), ratioChunks, rawChunksPerSecond);

        Map<String, Object> measured;
        Path checkpoints = Files.createTempDirectory("diffrag-bench-checkpoints");
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            KafkaConfig kafkaConfig = kafka.config();
            TopicAdmin.ensureTopics(kafkaConfig);
            JobClient job = startJob(kafkaConfig, checkpoints);
            try (RagClient client = new RagClient(kafkaConfig)) {
                // Warm: a question answered means every operator (and model) is open.
                RagClient.await(client.ask("bench", "warm up"), WAIT);

                double docsPerSecond = rawDocsPerSecond / 2;
                long[] lags = freshness(client, freshDocs, docsPerSecond, chunker);
                double[] lagPercentiles = {percentile(lags, 0.50), percentile(lags, 0.99)};
                System.out.printf("freshness lag at %.1f documents/s (%d documents): p50 %.0f ms, p99 %.0f ms%n",
                        docsPerSecond, lags.length, lagPercentiles[0], lagPercentiles[1]);

                double pipelineChunksPerSecond = ratioChunks / ingest(client, "bench", ratioDocs, chunker);
                // Measured again right after the pipeline, and averaged: the two sides of the ratio should see the
                // same machine, and on a shared machine the load changes by the minute.
                double rawAfter = rawEmbedderThroughput(ratioDocs, chunker, AllMiniLmL6V2EmbeddingModel::new);
                System.out.printf("raw embedder again: %.1f chunks/s%n", rawAfter);
                rawChunksPerSecond = (rawChunksPerSecond + rawAfter) / 2;
                double ratio = pipelineChunksPerSecond / rawChunksPerSecond;
                System.out.printf("pipeline: %.1f chunks/s, ratio to raw embedder (mean of both runs) %.2f%n",
                        pipelineChunksPerSecond, ratio);

                List<Doc> bulk = new ArrayList<>();
                long planned = CapturedMetrics.gaugeSum("chunks");
                for (int i = 0; i < bulkDocs.size() && planned < MIN_CHUNKS + MIN_CHUNKS / 20; i++) {
                    bulk.add(bulkDocs.get(i));
                    planned += chunker.split(bulkDocs.get(i).text()).size();
                }
                double bulkSeconds = ingest(client, "bench", bulk, chunker);
                long chunks = CapturedMetrics.gaugeSum("chunks");
                System.out.printf("bulk: %d documents in %.0f s%n", bulk.size(), bulkSeconds);
                // The first search after a bulk load refreshes the index once; that is not a question's latency.
                RagClient.await(client.ask("bench", "warm up"), WAIT);
                System.out.printf("indexed chunks: %d%n", chunks);
                if (chunks < MIN_CHUNKS) {
                    throw new IllegalStateException("only " + chunks + " chunks indexed, the run needs " + MIN_CHUNKS);
                }

                long[] latencies = questionLatencies(client, questions);
                double[] latencyPercentiles = {percentile(latencies, 0.50), percentile(latencies, 0.99)};
                System.out.printf("question latency at %.1f questions/s (%d questions): p50 %.0f ms, p99 %.0f ms%n",
                        QUESTIONS_PER_SECOND, latencies.length, latencyPercentiles[0], latencyPercentiles[1]);

                measured = new LinkedHashMap<>();
                measured.put("ingestRatioToRawEmbedder", round(ratio, 3));
                measured.put("freshnessLagMs", ordered("p50", lagPercentiles[0], "p99", lagPercentiles[1]));
                measured.put("questionLatencyMs", ordered("p50", latencyPercentiles[0], "p99", latencyPercentiles[1]));
                Map<String, Object> recallAt5 = ordered("bm25", round(recall.bm25(), 4), "vector", round(recall.vector(), 4));
                recallAt5.put("hybrid", round(recall.hybrid(), 4));
                measured.put("recallAt5", recallAt5);
                measured.put("samples", new Samples(ratioDocs.size(), ratioChunks, lags.length, latencies.length,
                        chunks, recall.questions()));
                write(out, measured, List.of(
                        row("ingest throughput, raw embedder (chunks/s)", rawChunksPerSecond, "", ""),
                        row("ingest throughput, pipeline (chunks/s)", pipelineChunksPerSecond, "", ""),
                        row("ingest ratio pipeline / raw embedder", ratio, "≥ 0.8", pass(ratio >= 0.8)),
                        row("freshness lag p50 (ms) at " + fmt(docsPerSecond) + " docs/s", lagPercentiles[0], "", ""),
                        row("freshness lag p99 (ms)", lagPercentiles[1], "≤ 2000", pass(lagPercentiles[1] <= 2000)),
                        row("question latency p50 (ms), " + chunks + " chunks, " + fmt(QUESTIONS_PER_SECOND) + " q/s",
                                latencyPercentiles[0], "≤ 1000", pass(latencyPercentiles[0] <= 1000)),
                        row("question latency p99 (ms)", latencyPercentiles[1], "≤ 3000",
                                pass(latencyPercentiles[1] <= 3000)),
                        row("recall@5 BM25", recall.bm25(), "", ""),
                        row("recall@5 vector", recall.vector(), "", ""),
                        row("recall@5 hybrid", recall.hybrid(), "≥ both",
                                pass(recall.hybrid() >= recall.bm25() && recall.hybrid() >= recall.vector()))),
                        args, Duration.ofNanos(System.nanoTime() - start), loadAtStart);
            } finally {
                job.cancel().get();
            }
        } finally {
            FileUtils.deleteDirectory(checkpoints.toFile());
        }
        System.exit(0);
    }

    private static JobClient startJob(KafkaConfig kafkaConfig, Path checkpoints) throws Exception {
        PipelineConfig base = PipelineConfig.defaults();
        PipelineConfig config = new PipelineConfig(BENCH_INDEX, AnswerConfig.baseline(), 10_000,
                checkpoints.toUri().toString(), base.deliveryGuarantee(),
                PARALLELISM);
        Configuration flink = new Configuration();
        flink.setString("metrics.reporter.capture.factory.class", CapturedMetrics.Factory.class.getName());
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(PARALLELISM, flink);
        RagJob.configure(env, config);
        RagJob.build(env, config, RagJob.Endpoints.kafka(kafkaConfig));
        return env.executeAsync("pipeline-bench");
    }

    /**
     * Chunks and embeds every document the way the job's embedding operators do: one batch per document, with as
     * many models embedding side by side as the job has embedding subtasks ({@link #PARALLELISM}; like the
     * subtasks' models they share MiniLM's one ONNX session), each taking the next document. One caller alone would
     * be compared with the pipeline's two, which on this machine made the pipeline look faster than the embedder it
     * runs (ratio 1.37).
     */
    static double rawEmbedderThroughput(List<Doc> docs, Chunker chunker, Supplier<EmbeddingModel> newModel)
            throws Exception {
        List<EmbeddingModel> models = new ArrayList<>();
        for (int i = 0; i < PARALLELISM; i++) {
            EmbeddingModel model = newModel.get();
            model.embed("warm up");
            models.add(model);
        }
        AtomicInteger next = new AtomicInteger();
        ExecutorService workers = Executors.newFixedThreadPool(PARALLELISM);
        try {
            long start = System.nanoTime();
            List<Future<Integer>> embedded = new ArrayList<>();
            for (EmbeddingModel model : models) {
                embedded.add(workers.submit(() -> {
                    int chunks = 0;
                    for (int i; (i = next.getAndIncrement()) < docs.size(); ) {
                        String text = docs.get(i).text();
                        List<TextSegment> segments = chunker.split(text).stream()
                                .map(span -> TextSegment.from(text.substring(span.start(), span.end())))
                                .toList();
                        chunks += model.embedAll(segments).content().size();
                    }
                    return chunks;
                }));
            }
            int chunks = 0;
            for (Future<Integer> worker : embedded) {
                chunks += worker.get();
            }
            return chunks / seconds(start);
        } finally {
            workers.shutdownNow();
        }
    }

    /** Sends every document and waits until all their chunks are indexed; returns the seconds it took. */
    private static double ingest(RagClient client, String tenant, List<Doc> docs, Chunker chunker) {
        long expected = CapturedMetrics.gaugeSum("chunks") + chunkCount(docs, chunker);
        long start = System.nanoTime();
        for (Doc doc : docs) {
            client.upsertAsync(DocumentRecord.upsert(tenant, doc.id(), doc.title(), doc.text()));
        }
        client.flush();
        awaitIndexed(expected);
        return seconds(start);
    }

    /** Sends documents at {@code perSecond} for the freshness run and returns the job's freshness lags. */
    private static long[] freshness(RagClient client, List<Doc> docs, double perSecond, Chunker chunker)
            throws InterruptedException {
        long intervalNanos = (long) (1e9 / perSecond);
        List<Doc> sent = docs.subList(0, (int) Math.min(docs.size(), FRESHNESS_RUN.toSeconds() * perSecond));
        long expected = CapturedMetrics.gaugeSum("chunks") + chunkCount(sent, chunker);
        long next = System.nanoTime();
        for (Doc doc : sent) {
            sleepUntil(next);
            client.upsertAsync(DocumentRecord.upsert("fresh", doc.id(), doc.title(), doc.text()));
            client.flush();
            next += intervalNanos;
        }
        awaitIndexed(expected);
        return CapturedMetrics.histogramValues("freshnessLagMs");
    }

    private static long chunkCount(List<Doc> docs, Chunker chunker) {
        return docs.stream().mapToLong(doc -> chunker.split(doc.text()).size()).sum();
    }

    /**
     * Waits until the index subtasks hold {@code expected} chunks, reading their {@code chunks} gauges: no probe
     * question runs meanwhile, so ingest is measured alone.
     */
    private static void awaitIndexed(long expected) {
        long start = System.nanoTime();
        long deadline = start + WAIT.toNanos();
        long lastReport = start;
        long chunks;
        while ((chunks = CapturedMetrics.gaugeSum("chunks")) < expected) {
            long now = System.nanoTime();
            if (now > deadline) {
                throw new IllegalStateException(chunks + " of " + expected + " chunks indexed after " + WAIT);
            }
            if (now - lastReport > 15e9) {
                System.out.printf("  ... %d of %d chunks indexed after %.0f s%n", chunks, expected, seconds(start));
                lastReport = now;
            }
            sleep(Duration.ofMillis(100));
        }
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** Asks questions at a steady rate and returns each one's latency from send to answer read back. */
    private static long[] questionLatencies(RagClient client, List<String> questions) throws Exception {
        long intervalNanos = (long) (1e9 / QUESTIONS_PER_SECOND);
        int count = (int) (QUESTION_RUN.toSeconds() * QUESTIONS_PER_SECOND);
        List<CompletableFuture<Long>> latencies = new ArrayList<>(count);
        long next = System.nanoTime();
        for (int i = 0; i < count; i++) {
            sleepUntil(next);
            long sent = System.nanoTime();
            QuestionRecord question = new QuestionRecord(
                    "bench", UUID.randomUUID().toString(), questions.get(i % questions.size()), null,
                    System.currentTimeMillis());
            latencies.add(client.ask(question).thenApply(answer -> (System.nanoTime() - sent) / 1_000_000));
            next += intervalNanos;
        }
        long[] result = new long[count];
        for (int i = 0; i < count; i++) {
            result[i] = latencies.get(i).get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        }
        return result;
    }

    @SafeVarargs
    private static List<Doc> interleave(List<Doc>... sources) {
        List<Doc> mixed = new ArrayList<>();
        int longest = Arrays.stream(sources).mapToInt(List::size).max().orElse(0);
        for (int i = 0; i < longest; i++) {
            for (List<Doc> source : sources) {
                if (i < source.size()) {
                    mixed.add(source.get(i));
                }
            }
        }
        return mixed;
    }

    static double percentile(long[] values, double p) {
        long[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted.length == 0 ? Double.NaN : sorted[Math.max(0, (int) Math.ceil(p * sorted.length) - 1)];
    }

    private static List<Doc> nqPassages(Path file) throws IOException {
        List<Doc> docs = new ArrayList<>();
        for (JsonNode row : jsonLines(file, true)) {
            JsonNode passage = row.get("ctxs").get(0);
            docs.add(new Doc("nq-" + docs.size(), passage.get("title").asText(), passage.get("text").asText()));
        }
        return docs;
    }

    private static List<String> nqQuestions(Path file) throws IOException {
        return jsonLines(file, true).stream().map(row -> row.get("question").asText() + "?").toList();
    }

    private static List<Doc> essays(Path dir) throws IOException {
        List<Doc> docs = new ArrayList<>();
        try (var files = Files.list(dir)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".txt")).sorted().toList()) {
                String name = file.getFileName().toString().replace(".txt", "");
                docs.add(new Doc("essay-" + name, name, Files.readString(file).strip()));
            }
        }
        return docs;
    }

    private static List<Doc> articles(Path file) throws IOException {
        return jsonLines(file, false).stream()
                .map(row -> new Doc("cnndm-" + row.get("id").asText(), row.get("id").asText(), row.get("article").asText()))
                .filter(doc -> !doc.text().isBlank())
                .toList();
    }

    private static List<JsonNode> jsonLines(Path file, boolean gzip) throws IOException {
        List<JsonNode> rows = new ArrayList<>();
        var in = gzip ? new GZIPInputStream(Files.newInputStream(file)) : Files.newInputStream(file);
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            for (String line; (line = reader.readLine()) != null; ) {
                if (!line.isBlank()) {
                    rows.add(Json.MAPPER.readTree(line));
                }
            }
        }
        return rows;
    }

    private static String[] row(String name, double value, String target, String verdict) {
        return new String[] {name, value < 10 ? String.format(Locale.ROOT, "%.3f", value) : fmt(value), target, verdict};
    }

    /** How many items each measurement is over, recorded with the results. */
    record Samples(int ratioDocuments, int ratioChunks, int freshnessDocuments, int latencyQuestions,
                   long indexedChunks, int recallQuestions) {}

    static void write(Path out, Map<String, Object> measured, List<String[]> rows, String[] args,
            Duration took, double loadAtStart) throws IOException {
        Samples samples = (Samples) measured.get("samples");
        double loadAtEnd = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
        StringBuilder table = new StringBuilder("| measurement | value | target | |\n|---|---|---|---|\n");
        for (String[] row : rows) {
            table.append("| ").append(String.join(" | ", row)).append(" |\n");
        }
        System.out.println();
        System.out.print(table);
        Files.createDirectories(out);
        Files.writeString(out.resolve("pipeline-bench.json"),
                Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(measured) + "\n");
        Files.writeString(out.resolve("pipeline-bench.md"), "# Pipeline benchmark\n\n"
                + "Produced by `dev.diffrag.pipeline.bench.PipelineBench` (see README.md, Benchmark) with arguments `"
                + String.join(" ", args) + "`, " + Runtime.getRuntime().availableProcessors() + " CPU cores (shared; "
                + "1-minute load average " + fmt(loadAtStart) + " at the start, " + fmt(loadAtEnd) + " at the end), in "
                + took.toSeconds() + " s. The raw embedder's throughput (" + PARALLELISM + " models side by side, as "
                + "many as the job's embedding subtasks) is the mean of a run before and a run right after the "
                + "pipeline's. Chunks of " + BENCH_INDEX.chunkSize() + " characters (overlap "
                + BENCH_INDEX.chunkOverlap() + "), parallelism " + PARALLELISM + ", baseline answerer; recall with the "
                + "job's default chunking. Sample sizes: the ingest ratio over " + samples.ratioDocuments()
                + " documents (" + samples.ratioChunks() + " chunks), freshness lag over " + samples.freshnessDocuments()
                + " documents, question latency over " + samples.latencyQuestions() + " questions with "
                + samples.indexedChunks() + " chunks indexed, recall over " + samples.recallQuestions()
                + " XQuAD questions.\n\n" + table);
    }

    private static Map<String, Object> ordered(String key1, double value1, String key2, double value2) {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put(key1, value1);
        map.put(key2, value2);
        return map;
    }

    private static String pass(boolean met) {
        return met ? "met" : "NOT met";
    }

    private static String fmt(double value) {
        return String.format(Locale.ROOT, "%.1f", value);
    }

    private static double round(double value, int digits) {
        double scale = Math.pow(10, digits);
        return Math.round(value * scale) / scale;
    }

    private static double seconds(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e9;
    }

    private static void sleepUntil(long nanoTime) throws InterruptedException {
        long wait = nanoTime - System.nanoTime();
        if (wait > 0) {
            Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
        }
    }
}
