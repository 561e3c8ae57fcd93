package dev.diffrag.pipeline;

import java.time.Duration;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueStateDescriptor;

/**
 * How long the job remembers what only records read again could contradict (a delete's version, the last digest
 * window fired): Kafka's default retention, a week, past which the topics no longer hold what a replay could bring
 * back. Kept forever, such state would grow with every document id or topic ever seen.
 */
public final class ReplayHorizon {

    public static final Duration TTL = Duration.ofDays(7);

    private ReplayHorizon() {}

    /**
     * {@code descriptor} with a time to live of {@link #TTL} from its last write; expired values are never returned
     * and are left out of full snapshots (the heap backend's checkpoints).
     */
    public static <T> ValueStateDescriptor<T> expiring(ValueStateDescriptor<T> descriptor) {
        descriptor.enableTimeToLive(StateTtlConfig.newBuilder(TTL)
                .setUpdateType(StateTtlConfig.UpdateType.OnCreateAndWrite)
                .setStateVisibility(StateTtlConfig.StateVisibility.NeverReturnExpired)
                .cleanupFullSnapshot()
                .build());
        return descriptor;
    }
}
