package dev.diffrag.pipeline.faults;

import dev.diffrag.connectors.kafka.KafkaConfig;
import dev.diffrag.pipeline.PipelineConfig;
import dev.diffrag.pipeline.RagJob;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.apache.flink.api.common.JobID;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.execution.ExecutionState;
import org.apache.flink.runtime.executiongraph.AccessExecutionGraph;
import org.apache.flink.runtime.executiongraph.AccessExecutionVertex;
import org.apache.flink.runtime.jobgraph.JobGraph;
import org.apache.flink.runtime.jobgraph.SavepointRestoreSettings;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/** The RAG job submitted to a {@link MiniCluster}, with the controls the fault harness needs. */
final class ClusterJob {

    private final MiniCluster cluster;
    private final JobID id;

    private ClusterJob(MiniCluster cluster, JobID id) {
        this.cluster = cluster;
        this.id = id;
    }

    /** Submits the job reading and writing {@code kafka}; restored from {@code savepoint} unless it is null. */
    static ClusterJob submit(MiniCluster cluster, PipelineConfig config, KafkaConfig kafka, String savepoint)
            throws Exception {
        // The environment only assembles the graph; the job runs on the given cluster.
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        RagJob.configure(env, config);
        RagJob.build(env, config, RagJob.Endpoints.kafka(kafka));
        JobGraph graph = env.getStreamGraph().getJobGraph();
        if (savepoint != null) {
            graph.setSavepointRestoreSettings(SavepointRestoreSettings.forPath(savepoint, false));
        }
        cluster.submitJob(graph).get();
        ClusterJob job = new ClusterJob(cluster, graph.getJobID());
        job.awaitAllTasksRunning(Duration.ofMinutes(2));
        return job;
    }

    /** Waits until every subtask of the job is running (after a submission or a failover). */
    void awaitAllTasksRunning(Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!allTasksRunning()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("job " + id + " not running after " + timeout);
            }
            Thread.sleep(50);
        }
    }

    private boolean allTasksRunning() throws Exception {
        return vertices(cluster.getExecutionGraph(id).get())
                .allMatch(vertex -> vertex.getExecutionState() == ExecutionState.RUNNING);
    }

    /**
     * How often the job's tasks were restarted: the highest execution attempt number of any subtask (0 while no task
     * ever failed). Counts region failovers too, which leave the job status RUNNING.
     */
    int restarts() throws Exception {
        return vertices(cluster.getExecutionGraph(id).get())
                .mapToInt(vertex -> vertex.getCurrentExecutionAttempt().getAttemptNumber())
                .max()
                .orElse(0);
    }

    /** Waits until a task of the job has been restarted since it counted {@code restartsBefore} restarts. */
    void awaitRestartAfter(int restartsBefore, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (restarts() <= restartsBefore) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("job " + id + " did not fail over within " + timeout);
            }
            Thread.sleep(20);
        }
    }

    /** Stops the job with a canonical savepoint in {@code directory}; returns the savepoint's path. */
    String stopWithSavepoint(Path directory) throws Exception {
        return cluster.stopWithSavepoint(id, directory.toUri().toString(), false, SavepointFormatType.CANONICAL).get();
    }

    void cancel() throws Exception {
        cluster.cancelJob(id).get();
        cluster.requestJobResult(id).get();
    }

    private static Stream<? extends AccessExecutionVertex> vertices(AccessExecutionGraph graph) {
        return StreamSupport.stream(graph.getAllExecutionVertices().spliterator(), false);
    }
}
