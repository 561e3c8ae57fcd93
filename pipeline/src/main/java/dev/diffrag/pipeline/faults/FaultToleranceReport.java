package dev.diffrag.pipeline.faults;

import dev.diffrag.connectors.Json;
import dev.diffrag.connectors.kafka.DeliveryGuarantee;
import dev.diffrag.connectors.local.EmbeddedKafka;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.util.FileUtils;

/**
 * Runs the fault-tolerance harness once, as {@code FaultToleranceITCase} does, and writes what it measured to
 * {@code <dir>/fault-tolerance.json} and {@code <dir>/fault-tolerance.md}:
 *
 * <pre>
 * mvn -B -q -pl pipeline -am -DskipTests package dependency:build-classpath \
 *     -Dmdep.outputFile=target/runtime.classpath -DincludeScope=runtime
 * DJL_CACHE_DIR=pipeline/target/djl-cache java -Xmx4g -Dai.djl.offline=true \
 *   -Dlog4j2.configurationFile=pipeline/src/main/resources/log4j2-local.properties \
 *   -cp "pipeline/target/classes:$(cat pipeline/target/runtime.classpath)" \
 *   dev.diffrag.pipeline.faults.FaultToleranceReport docs/results
 * </pre>
 */
public final class FaultToleranceReport {

    static final int QUESTIONS = 1_000;
    static final double QUESTIONS_PER_SECOND = 25;
    static final int BAD_RECORDS = 10_000;
    static final long FUZZ_SEED = 8;

    static final String COMMAND = """
            mvn -B -q -pl pipeline -am -DskipTests package dependency:build-classpath \\
                -Dmdep.outputFile=target/runtime.classpath -DincludeScope=runtime
            DJL_CACHE_DIR=pipeline/target/djl-cache java -Xmx4g -Dai.djl.offline=true \\
              -Dlog4j2.configurationFile=pipeline/src/main/resources/log4j2-local.properties \\
              -cp "pipeline/target/classes:$(cat pipeline/target/runtime.classpath)" \\
              dev.diffrag.pipeline.faults.FaultToleranceReport docs/results""";

    private FaultToleranceReport() {}

    public static void main(String[] args) throws Exception {
        Path out = Path.of(args.length > 0 ? args[0] : "docs/results");
        long start = System.nanoTime();
        MiniCluster cluster = new MiniCluster(new MiniClusterConfiguration.Builder()
                .setNumTaskManagers(FaultHarness.TASK_MANAGERS)
                .setNumSlotsPerTaskManager(FaultHarness.SLOTS_PER_TASK_MANAGER)
                .setConfiguration(FaultHarness.clusterSettings())
                .build());
        cluster.start();
        Path work = Files.createTempDirectory("diffrag-faults");
        Map<String, Object> report;
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            FaultHarness harness = new FaultHarness(cluster, kafka, work);
            FaultHarness.FaultRun exactlyOnce =
                    harness.injectFaults(DeliveryGuarantee.EXACTLY_ONCE, QUESTIONS, QUESTIONS_PER_SECOND);
            System.out.println(exactlyOnce);
            FaultHarness.FaultRun atLeastOnce =
                    harness.injectFaults(DeliveryGuarantee.AT_LEAST_ONCE, QUESTIONS, QUESTIONS_PER_SECOND);
            System.out.println(atLeastOnce);
            FaultHarness.FuzzRun fuzz = harness.fuzz(BAD_RECORDS, FUZZ_SEED);
            System.out.println(fuzz);
            FaultHarness.RescaleRun rescale = harness.rescale(2, List.of(1, 4));
            System.out.println(rescale);
            report = report(exactlyOnce, atLeastOnce, fuzz, rescale, (System.nanoTime() - start) / 1e9);
        } finally {
            cluster.close();
            FileUtils.deleteDirectory(work.toFile()); // checkpoints and savepoints of the runs
        }
        Files.createDirectories(out);
        Files.write(out.resolve("fault-tolerance.json"),
                Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(report));
        Files.writeString(out.resolve("fault-tolerance.md"), markdown(report), StandardCharsets.UTF_8);
        System.out.printf("wrote %s and %s%n", out.resolve("fault-tolerance.json"), out.resolve("fault-tolerance.md"));
        // Flink's and ONNX Runtime's pools keep non-daemon threads alive after the mini cluster stops.
        System.exit(0);
    }

    static Map<String, Object> report(FaultHarness.FaultRun exactlyOnce, FaultHarness.FaultRun atLeastOnce,
            FaultHarness.FuzzRun fuzz, FaultHarness.RescaleRun rescale, double seconds) {
        Map<String, Object> report = new LinkedHashMap<>();
        AnswerDeliveries delivered = exactlyOnce.deliveries();
        report.put("questions", delivered.questions());
        report.put("answered", delivered.answered());
        report.put("lost", delivered.lost());
        report.put("duplicated", delivered.duplicated());
        report.put("timedOutOrFailed", delivered.failed());
        report.put("badRecords", fuzz.badRecords());
        report.put("badToDeadLetter", fuzz.badToDeadLetter());
        report.put("jobRestartsFromBadInput", fuzz.restarts());
        report.put("faultsInjected", exactlyOnce.faultsInjected());
        Map<String, Object> recovery = new LinkedHashMap<>();
        recovery.put("exactly-once", rounded(exactlyOnce.recovery()));
        recovery.put("at-least-once", rounded(atLeastOnce.recovery()));
        report.put("recoverySeconds", recovery);
        report.put("exactlyOnce", run(exactlyOnce));
        report.put("atLeastOnce", run(atLeastOnce));
        Map<String, Object> badInput = new LinkedHashMap<>();
        badInput.put("badRecordsByKind", fuzz.badByKind());
        badInput.put("validRecordsDeadLettered", fuzz.validDeadLettered());
        badInput.put("validDocumentChanges", fuzz.validDocumentChanges());
        badInput.put("indexExact", fuzz.indexProblems().isEmpty());
        badInput.put("validQuestions", fuzz.validQuestions());
        badInput.put("validAnswered", fuzz.validAnswered());
        badInput.put("seconds", round(fuzz.seconds()));
        report.put("badInput", badInput);
        Map<String, Object> rescaling = new LinkedHashMap<>();
        rescaling.put("savedAtParallelism", rescale.savedAtParallelism());
        Map<String, Boolean> complete = new LinkedHashMap<>();
        rescale.indexProblemsByParallelism().forEach((p, problems) -> complete.put(p.toString(), problems.isEmpty()));
        rescaling.put("indexCompleteAtParallelism", complete);
        rescaling.put("questionsPerRestore", rescale.questionsPerRestore());
        rescaling.put("foreignTenantChunks", rescale.foreignChunks());
        rescaling.put("seconds", round(rescale.seconds()));
        report.put("rescaling", rescaling);
        Map<String, Object> setup = new LinkedHashMap<>();
        setup.put("taskManagers", FaultHarness.TASK_MANAGERS);
        setup.put("slotsPerTaskManager", FaultHarness.SLOTS_PER_TASK_MANAGER);
        setup.put("parallelism", FaultHarness.PARALLELISM);
        setup.put("questionsPerSecond", QUESTIONS_PER_SECOND);
        setup.put("cpus", Runtime.getRuntime().availableProcessors());
        report.put("setup", setup);
        report.put("totalSeconds", round(seconds));
        return report;
    }

    private static Map<String, Object> run(FaultHarness.FaultRun run) {
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("questions", run.deliveries().questions());
        summary.put("answered", run.deliveries().answered());
        summary.put("lost", run.deliveries().lost());
        summary.put("duplicated", run.deliveries().duplicated());
        summary.put("timedOutOrFailed", run.deliveries().failed());
        summary.put("documentChanges", run.documentChanges());
        summary.put("finalIndexExact", run.indexProblems().isEmpty());
        summary.put("taskRestarts", run.restarts());
        summary.put("medianAnswerSecondsBeforeFaults", round(run.medianLatencyBeforeFaults()));
        summary.put("medianAnswerSeconds", round(run.medianLatency()));
        summary.put("seconds", round(run.seconds()));
        return summary;
    }

    private static Map<String, Map<String, Double>> rounded(Map<String, FaultHarness.Recovery> recovery) {
        Map<String, Map<String, Double>> seconds = new LinkedHashMap<>();
        recovery.forEach((fault, r) -> {
            Map<String, Double> times = new LinkedHashMap<>();
            times.put("tasksRunning", round(r.tasksRunning()));
            times.put("firstAnswer", round(r.firstAnswer()));
            seconds.put(fault, times);
        });
        return seconds;
    }

    private static double round(double seconds) {
        return Math.round(seconds * 10) / 10.0;
    }

    @SuppressWarnings("unchecked")
    static String markdown(Map<String, Object> report) throws IOException {
        Map<String, Object> eo = (Map<String, Object>) report.get("exactlyOnce");
        Map<String, Object> alo = (Map<String, Object>) report.get("atLeastOnce");
        Map<String, Object> bad = (Map<String, Object>) report.get("badInput");
        Map<String, Object> rescaling = (Map<String, Object>) report.get("rescaling");
        Map<String, Map<String, Map<String, Double>>> recovery =
                (Map<String, Map<String, Map<String, Double>>>) report.get("recoverySeconds");
        StringBuilder md = new StringBuilder();
        md.append("# Fault tolerance\n\n")
                .append("Generated by `dev.diffrag.pipeline.faults.FaultToleranceReport` (the harness of ")
                .append("`FaultToleranceITCase`); do not edit by hand. Flink mini cluster with 2 task managers, ")
                .append("embedded Kafka broker, real MiniLM embedder and baseline answerer, job parallelism 2. ")
                .append("Faults injected while documents and questions stream in: ")
                .append(String.join(", ", (List<String>) report.get("faultsInjected"))).append(".\n\n");
        md.append("| run | questions | answered | of them timeout / error | lost | duplicated | document changes "
                        + "| final index exact | task restarts | median answer s (before faults / all) | seconds |\n")
                .append("|---|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|\n");
        for (var row : List.of(Map.entry("exactly-once (read_committed)", eo), Map.entry("at-least-once", alo))) {
            Map<String, Object> r = row.getValue();
            md.append("| ").append(row.getKey()).append(" | ").append(r.get("questions")).append(" | ")
                    .append(r.get("answered")).append(" | ").append(r.get("timedOutOrFailed")).append(" | ")
                    .append(r.get("lost")).append(" | ")
                    .append(r.get("duplicated")).append(" | ").append(r.get("documentChanges")).append(" | ")
                    .append(r.get("finalIndexExact")).append(" | ").append(r.get("taskRestarts")).append(" | ")
                    .append(r.get("medianAnswerSecondsBeforeFaults")).append(" / ").append(r.get("medianAnswerSeconds"))
                    .append(" | ").append(r.get("seconds")).append(" |\n");
        }
        md.append("\nAnswered: questions with an answer record, including abstentions for a timeout or an answerer error ")
                .append("(counted apart). Final index exact: the index holds exactly the latest version of every beacon; ")
                .append("the last revision, written after the faults, changes only the even-numbered beacons, so the odd ")
                .append("ones check the changes made before and during the faults.\n");
        md.append("\nRecovery in seconds: until every task runs again, and until the first answer to a question asked ")
                .append("after the fault. Questions are sent at ").append(QUESTIONS_PER_SECOND)
                .append(" a second; where the median answer time above is already seconds before any fault, the ")
                .append("answerer is behind that pace on this machine and the first-answer times include draining ")
                .append("the backlog of questions queued ahead.\n\n")
                .append("| fault | exactly-once tasks | exactly-once first answer | at-least-once tasks | at-least-once first answer |\n")
                .append("|---|---:|---:|---:|---:|\n");
        for (String fault : (List<String>) report.get("faultsInjected")) {
            Map<String, Double> e = recovery.get("exactly-once").get(fault);
            Map<String, Double> a = recovery.get("at-least-once").get(fault);
            md.append("| ").append(fault).append(" | ").append(e.get("tasksRunning")).append(" | ")
                    .append(e.get("firstAnswer")).append(" | ").append(a.get("tasksRunning")).append(" | ")
                    .append(a.get("firstAnswer")).append(" |\n");
        }
        md.append("\n| bad input | value |\n|---|---:|\n")
                .append("| malformed records sent | ").append(report.get("badRecords")).append(" |\n")
                .append("| on dead-letter with a reason | ").append(report.get("badToDeadLetter")).append(" |\n")
                .append("| valid records dead-lettered | ").append(bad.get("validRecordsDeadLettered")).append(" |\n")
                .append("| valid document changes, index exact | ").append(bad.get("validDocumentChanges"))
                .append(", ").append(bad.get("indexExact")).append(" |\n")
                .append("| valid questions answered | ").append(bad.get("validAnswered")).append(" of ")
                .append(bad.get("validQuestions")).append(" |\n")
                .append("| job restarts from bad input | ").append(report.get("jobRestartsFromBadInput")).append(" |\n");
        md.append("\nMalformed records by kind: `").append(Json.MAPPER.writeValueAsString(bad.get("badRecordsByKind")))
                .append("`\n\n");
        md.append("Rescaling: savepoint at parallelism ").append(rescaling.get("savedAtParallelism"))
                .append(", index complete and exact per parallelism `")
                .append(Json.MAPPER.writeValueAsString(rescaling.get("indexCompleteAtParallelism")))
                .append("`, chunks of another tenant retrieved: ").append(rescaling.get("foreignTenantChunks"))
                .append(" (").append(rescaling.get("questionsPerRestore")).append(" questions per restore).\n\n");
        md.append("Whole run: ").append(report.get("totalSeconds")).append(" s. Regenerate with:\n\n```bash\n")
                .append(COMMAND).append("\n```\n");
        return md.toString();
    }
}
