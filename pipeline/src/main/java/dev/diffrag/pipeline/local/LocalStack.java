package dev.diffrag.pipeline.local;

import dev.diffrag.connectors.kafka.DeliveryGuarantee;
import dev.diffrag.connectors.kafka.KafkaConfig;
import dev.diffrag.connectors.kafka.TopicAdmin;
import dev.diffrag.connectors.local.EmbeddedKafka;
import dev.diffrag.connectors.records.AnswerRecord;
import dev.diffrag.connectors.records.Citation;
import dev.diffrag.connectors.records.DocumentRecord;
import dev.diffrag.connectors.records.RetrievedChunk;
import dev.diffrag.connectors.records.SummaryRecord;
import dev.diffrag.pipeline.PipelineConfig;
import dev.diffrag.pipeline.RagJob;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.FileUtils;

/**
 * The whole system in one process: an embedded Kafka broker, the job on a local Flink mini cluster (parallelism 2),
 * the bundled sample corpus ingested, and the sample questions plus those given as arguments answered (by the default
 * answerer, the Diff Transformer reader, unless the job's variables say otherwise) and printed with citations and
 * latency; then each document's summary and the digests of the windows the documents fell in. Then it cancels the
 * job, stops the broker and exits.
 */
public final class LocalStack {

    private static final String TENANT = "demo";
    private static final int PARALLELISM = 2;
    private static final Duration INDEXING_TIMEOUT = Duration.ofMinutes(2);
    /** Past the job's own 60 s answer timeout, whose abstention then arrives instead of nothing. */
    private static final Duration ANSWER_TIMEOUT = Duration.ofSeconds(90);
    /** Past the job's own 60 s summary timeout. */
    private static final Duration SUMMARY_TIMEOUT = Duration.ofSeconds(90);
    /**
     * Digest timing of the demo: 10 s windows, 1 s out-of-orderness, 2 s idleness, so the digest of the sample documents
     * is written seconds after they stop (the job's defaults, 60 s / 5 s / 30 s, would take over a minute).
     */
    private static final long DIGEST_WINDOW_MS = 10_000;
    private static final long DIGEST_OUT_OF_ORDERNESS_MS = 1_000;
    private static final long DIGEST_IDLENESS_MS = 2_000;

    /**
     * What the local stack got back: the answers, each sample document's summary, and the digests; and the temporary
     * folder the job checkpointed to, gone by the time {@link #run} returns.
     */
    public record Outcome(List<AnswerRecord> answers, List<SummaryRecord> summaries, List<SummaryRecord> digests,
            Path checkpoints) {}

    /** A sample document as sent: its version and producer time. */
    private record Sent(SampleCorpus.Document document, long version, long producedAt) {}

    private LocalStack() {}

    public static void main(String[] args) throws Exception {
        long startNanos = System.nanoTime();
        List<String> questions = new ArrayList<>(SampleCorpus.questions());
        questions.addAll(List.of(args));
        Outcome outcome = run(questions, LocalStack::print);
        outcome.summaries().forEach(LocalStack::printSummary);
        outcome.digests().forEach(LocalStack::printDigest);
        System.out.printf("%nDone in %.1f s; job cancelled, broker stopped.%n", (System.nanoTime() - startNanos) / 1e9);
        // Flink's and ONNX Runtime's pools keep non-daemon threads alive after the mini cluster stops.
        System.exit(0);
    }

    /**
     * Starts the broker and the job with the configuration of the job's {@code DIFFRAG_*} environment variables (by
     * default the Diff Transformer reader answers), ingests the
     * sample corpus, asks the questions and hands each answer to {@code onAnswer} in the questions' order (a question
     * the job rejects, e.g. a blank one, is printed with the job's reason and has no answer); waits for the documents'
     * summaries and digests; then cancels the job and stops the broker.
     */
    public static Outcome run(List<String> questions, Consumer<AnswerRecord> onAnswer) throws Exception {
        Path checkpoints = Files.createTempDirectory("diffrag-checkpoints");
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            KafkaConfig kafkaConfig = kafka.config();
            TopicAdmin.ensureTopics(kafkaConfig);
            PipelineConfig config = config(System.getenv(), checkpoints.toUri().toString());
            StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(PARALLELISM);
            RagJob.configure(env, config);
            RagJob.build(env, config,
                    RagJob.Endpoints.kafka(kafkaConfig).withSummaries(RagJob.Endpoints.kafkaSummaries(kafkaConfig)));
            JobClient job = env.executeAsync("diffrag local stack");
            System.out.printf("Kafka at %s, job %s on a local Flink mini cluster (parallelism %d), answerer %s%n",
                    kafka.bootstrapServers(), job.getJobID(), PARALLELISM, config.answer().answerer());
            try (RagClient client = new RagClient(kafkaConfig)) {
                // The documents go to a running job, as in a deployment: a source that reads them long after they
                // were produced takes them for a backlog, and leaves the digest of their window waiting for later ones.
                RagClient.await(client.ask(TENANT, "Is the job running?"), ANSWER_TIMEOUT);
                List<Sent> sent = ingest(client);
                List<CompletableFuture<AnswerRecord>> pending =
                        questions.stream().map(question -> client.ask(TENANT, question)).toList();
                List<AnswerRecord> answers = new ArrayList<>();
                for (int i = 0; i < pending.size(); i++) {
                    try {
                        answers.add(RagClient.await(pending.get(i), ANSWER_TIMEOUT));
                    } catch (RagClient.QuestionRejectedException e) {
                        System.out.printf("%nQ: %s%nA: (rejected by the job: %s)%n", questions.get(i), e.getMessage());
                        continue;
                    }
                    onAnswer.accept(answers.get(answers.size() - 1));
                }
                List<SummaryRecord> summaries = sent.stream()
                        .map(d -> client.awaitSummary(TENANT, d.document().id(), d.version(), SUMMARY_TIMEOUT))
                        .toList();
                List<SummaryRecord> digests = client.awaitDigests(TENANT,
                        sent.stream().map(Sent::producedAt).toList(), SUMMARY_TIMEOUT);
                return new Outcome(answers, summaries, digests, checkpoints);
            } finally {
                job.cancel().get();
            }
        } finally {
            // The checkpoints only serve the run's own recovery; each run would otherwise leave a directory behind.
            FileUtils.deleteDirectory(checkpoints.toFile());
        }
    }

    /**
     * The job's configuration from its {@code DIFFRAG_*} variables in {@code env} (e.g. {@code DIFFRAG_ANSWERER=baseline}),
     * with the local stack's parallelism, checkpoints and digest timing. The delivery guarantee is a Kafka setting,
     * which does not apply here: the embedded broker's sinks are at-least-once, so checkpointing is too.
     */
    static PipelineConfig config(Map<String, String> env, String checkpointDirectory) {
        PipelineConfig base = PipelineConfig.fromEnv(env);
        return new PipelineConfig(base.index(), base.answer(), 5_000, checkpointDirectory,
                DeliveryGuarantee.AT_LEAST_ONCE, PARALLELISM,
                base.summary().withDigestTiming(DIGEST_WINDOW_MS, DIGEST_OUT_OF_ORDERNESS_MS, DIGEST_IDLENESS_MS));
    }

    /** Sends every sample document, then waits until each one's version is searchable. */
    private static List<Sent> ingest(RagClient client) {
        List<Sent> sent = new ArrayList<>();
        for (SampleCorpus.Document doc : SampleCorpus.documents()) {
            DocumentRecord record = DocumentRecord.upsert(TENANT, doc.id(), doc.title(), doc.text());
            sent.add(new Sent(doc, client.send(record).offset(), record.ts()));
        }
        for (Sent doc : sent) {
            client.awaitSearchable(TENANT, doc.document().id(), doc.version(), doc.document().title(), INDEXING_TIMEOUT);
        }
        System.out.printf("Indexed %d sample documents: %s%n", sent.size(),
                sent.stream().map(doc -> doc.document().id()).collect(Collectors.joining(", ")));
        return sent;
    }

    private static void print(AnswerRecord answer) {
        System.out.printf("%nQ: %s%n", answer.question());
        if (answer.abstained()) {
            System.out.printf("A: (abstained: %s; confidence %.2f)%n", answer.reason(), answer.confidence());
        } else {
            System.out.printf("A: %s%n", answer.answer());
            for (Citation citation : answer.citations()) {
                System.out.printf("   cited: %s (version %d), characters %d-%d%n",
                        citation.docId(), citation.docVersion(), citation.start(), citation.end());
            }
            System.out.printf("   confidence %.2f%n", answer.confidence());
        }
        System.out.printf("   %d ms, model %s, retrieved %s%n", answer.latencyMs(), answer.model(),
                answer.retrieved().stream().map(RetrievedChunk::chunkId).collect(Collectors.joining(", ")));
    }

    private static void printSummary(SummaryRecord summary) {
        System.out.printf("%nSummary of %s (version %d, model %s, %d ms):%n", summary.docId(), summary.docVersion(),
                summary.model(), summary.latencyMs());
        summary.sentences().forEach(s -> System.out.printf("   [%d-%d] %s%n", s.start(), s.end(), s.text()));
    }

    private static void printDigest(SummaryRecord digest) {
        System.out.printf("%nDigest of tenant %s, window %s to %s (model %s):%n", digest.tenant(),
                Instant.ofEpochMilli(digest.window().start()), Instant.ofEpochMilli(digest.window().end()),
                digest.model());
        digest.sentences().forEach(s -> System.out.printf("   %s (%s@%d, %d-%d)%n", s.text(), s.docId(), s.docVersion(),
                s.start(), s.end()));
    }
}
