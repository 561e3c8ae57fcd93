package dev.diffrag.pipeline.faults;

import static dev.diffrag.pipeline.faults.FaultToleranceReport.BAD_RECORDS;
import static dev.diffrag.pipeline.faults.FaultToleranceReport.QUESTIONS;
import static dev.diffrag.pipeline.faults.FaultToleranceReport.QUESTIONS_PER_SECOND;
import static org.assertj.core.api.Assertions.assertThat;

import dev.diffrag.connectors.kafka.DeliveryGuarantee;
import dev.diffrag.connectors.local.EmbeddedKafka;
import java.nio.file.Path;
import java.util.List;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The job under faults, bad input and rescaling ({@link FaultHarness}): a real in-process Kafka broker and a Flink
 * mini cluster with two task managers, the real embedder and the baseline answerer.
 */
class FaultToleranceITCase {

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(FaultHarness.TASK_MANAGERS)
            .setNumberSlotsPerTaskManager(FaultHarness.SLOTS_PER_TASK_MANAGER)
            .setConfiguration(FaultHarness.clusterSettings())
            .build());

    @TempDir
    static Path work;

    private static EmbeddedKafka kafka;
    private static FaultHarness harness;

    @BeforeAll
    static void start(@InjectMiniCluster MiniCluster cluster) {
        kafka = EmbeddedKafka.start();
        harness = new FaultHarness(cluster, kafka, work);
    }

    @AfterAll
    static void stop() {
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    void exactlyOnceAnswersEveryQuestionOnceThroughATaskManagerLossABrokerRestartAndASavepointRestore()
            throws Exception {
        FaultHarness.FaultRun run = harness.injectFaults(DeliveryGuarantee.EXACTLY_ONCE, QUESTIONS, QUESTIONS_PER_SECOND);
        System.out.println(run);

        assertThat(run.faultsInjected()).containsExactly(FaultHarness.TASK_MANAGER_KILLED,
                FaultHarness.BROKER_RESTARTED, FaultHarness.SAVEPOINT_RESTORED);
        assertThat(run.restarts()).as("killing a task manager fails the job over").isPositive();
        // Timeouts and answerer errors count as delivered (the job answers them with an abstention): reported, not
        // asserted, since they depend on how fast this machine's answerer keeps up.
        assertThat(run.deliveries().answered()).isEqualTo(QUESTIONS);
        assertThat(run.deliveries().lost()).isZero();
        assertThat(run.deliveries().duplicated()).isZero();
        assertThat(run.indexProblems()).as("every update survives: the odd beacons were last changed before or during "
                + "the faults, the even ones after").isEmpty();
        assertThat(run.recovery().values()).allSatisfy(recovery -> assertThat(recovery.firstAnswer()).isFinite());
    }

    @Test
    void atLeastOnceAnswersEveryQuestionThroughTheSameFaults() throws Exception {
        FaultHarness.FaultRun run = harness.injectFaults(DeliveryGuarantee.AT_LEAST_ONCE, QUESTIONS, QUESTIONS_PER_SECOND);
        System.out.println(run);

        assertThat(run.restarts()).isPositive();
        assertThat(run.deliveries().lost()).isZero();
        assertThat(run.deliveries().answered()).isEqualTo(QUESTIONS);
        assertThat(run.indexProblems()).isEmpty();
    }

    @Test
    void tenThousandMalformedRecordsAllReachTheDeadLetterTopicWhileValidInputIsProcessedWithoutRestarts()
            throws Exception {
        FaultHarness.FuzzRun run = harness.fuzz(BAD_RECORDS, FaultToleranceReport.FUZZ_SEED);
        System.out.println(run);

        assertThat(run.badToDeadLetter()).as("missing, e.g. %s", run.missingDeadLetters()).isEqualTo(BAD_RECORDS);
        assertThat(run.badByKind()).containsKeys("invalid-utf8", "broken-json", "wrong-type", "null", "huge-field",
                "huge-random-bytes", "oversized-document", "unknown-op", "empty-question", "tombstone",
                "prompt-injection-without-tenant");
        assertThat(run.validDeadLettered()).isZero();
        assertThat(run.indexProblems()).isEmpty();
        assertThat(run.validAnswered()).isEqualTo(run.validQuestions()).isPositive();
        assertThat(run.restarts()).as("bad input never restarts the job").isZero();
    }

    @Test
    void aSavepointTakenAtParallelismTwoRestoresCompleteAtOneAndFourWithTenantsApart() throws Exception {
        FaultHarness.RescaleRun run = harness.rescale(2, List.of(1, 4));
        System.out.println(run);

        assertThat(run.indexProblemsByParallelism()).containsOnlyKeys(2, 1, 4)
                .allSatisfy((parallelism, problems) -> assertThat(problems).as("at %d", parallelism).isEmpty());
        assertThat(run.questionsPerRestore()).isPositive();
        assertThat(run.foreignChunks()).isZero();
    }
}
