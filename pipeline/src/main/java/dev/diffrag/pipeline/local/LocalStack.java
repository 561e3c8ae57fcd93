package dev.diffrag.pipeline.local;

import dev.diffrag.connectors.kafka.KafkaConfig;
import dev.diffrag.connectors.kafka.TopicAdmin;
import dev.diffrag.connectors.local.EmbeddedKafka;
import dev.diffrag.connectors.records.AnswerRecord;
import dev.diffrag.connectors.records.Citation;
import dev.diffrag.connectors.records.RetrievedChunk;
import dev.diffrag.pipeline.PipelineConfig;
import dev.diffrag.pipeline.RagJob;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The whole system in one process: an embedded Kafka broker, the job on a local Flink mini cluster (parallelism 2),
 * the bundled sample corpus ingested, and the sample questions plus those given as arguments answered (by the default
 * answerer, the Diff Transformer reader, unless the job's variables say otherwise) and printed with citations and
 * latency. Then it cancels the job, stops the broker and exits.
 */
public final class LocalStack {

    private static final String TENANT = "demo";
    private static final int PARALLELISM = 2;
    private static final Duration INDEXING_TIMEOUT = Duration.ofMinutes(2);
    /** Past the job's own 60 s answer timeout, whose abstention then arrives instead of nothing. */
    private static final Duration ANSWER_TIMEOUT = Duration.ofSeconds(90);

    private LocalStack() {}

    public static void main(String[] args) throws Exception {
        long startNanos = System.nanoTime();
        List<String> questions = new ArrayList<>(SampleCorpus.questions());
        questions.addAll(List.of(args));
        run(questions, LocalStack::print);
        System.out.printf("%nDone in %.1f s; job cancelled, broker stopped.%n", (System.nanoTime() - startNanos) / 1e9);
        // Flink's and ONNX Runtime's pools keep non-daemon threads alive after the mini cluster stops.
        System.exit(0);
    }

    /**
     * Starts the broker and the job with the configuration of the job's {@code DIFFRAG_*} environment variables (by
     * default the Diff Transformer reader answers), ingests the
     * sample corpus, asks the questions and hands each answer to {@code onAnswer} in the questions' order (a question
     * the job rejects, e.g. a blank one, is printed with the job's reason and has no answer); then cancels the job and
     * stops the broker.
     */
    public static List<AnswerRecord> run(List<String> questions, Consumer<AnswerRecord> onAnswer) throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            KafkaConfig kafkaConfig = kafka.config();
            TopicAdmin.ensureTopics(kafkaConfig);
            PipelineConfig config = config(System.getenv(),
                    Files.createTempDirectory("diffrag-checkpoints").toUri().toString());
            StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(PARALLELISM);
            RagJob.configure(env, config);
            RagJob.build(env, config, RagJob.Endpoints.kafka(kafkaConfig));
            JobClient job = env.executeAsync("diffrag local stack");
            System.out.printf("Kafka at %s, job %s on a local Flink mini cluster (parallelism %d), answerer %s%n",
                    kafka.bootstrapServers(), job.getJobID(), PARALLELISM, config.answer().answerer());
            try (RagClient client = new RagClient(kafkaConfig)) {
                ingest(client);
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
                return answers;
            } finally {
                job.cancel().get();
            }
        }
    }

    /**
     * The job's configuration from its {@code DIFFRAG_*} variables in {@code env} (e.g. {@code DIFFRAG_ANSWERER=baseline}),
     * with the local stack's parallelism and checkpoints.
     */
    static PipelineConfig config(Map<String, String> env, String checkpointDirectory) {
        PipelineConfig base = PipelineConfig.fromEnv(env);
        return new PipelineConfig(base.index(), base.answer(), 5_000, checkpointDirectory, base.deliveryGuarantee(),
                PARALLELISM, base.summary());
    }

    /** Sends every sample document, then waits until each one's version is searchable. */
    private static void ingest(RagClient client) {
        List<SampleCorpus.Document> documents = SampleCorpus.documents();
        long[] versions = new long[documents.size()];
        for (int i = 0; i < documents.size(); i++) {
            SampleCorpus.Document doc = documents.get(i);
            versions[i] = client.upsert(TENANT, doc.id(), doc.title(), doc.text());
        }
        for (int i = 0; i < documents.size(); i++) {
            SampleCorpus.Document doc = documents.get(i);
            client.awaitSearchable(TENANT, doc.id(), versions[i], doc.title(), INDEXING_TIMEOUT);
        }
        System.out.printf("Indexed %d sample documents: %s%n", documents.size(),
                documents.stream().map(SampleCorpus.Document::id).collect(Collectors.joining(", ")));
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
}
