package dev.diffrag.pipeline.ingest;

import java.time.Duration;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;

/**
 * Keyed state of the version of a document's last delete, so that an older upsert arriving after it is ignored rather
 * than bringing the document back. Only kept for {@link #TTL}: kept forever, every id ever deleted (even one that never
 * existed) would stay in state, so a stream of deletes would grow it without bound.
 *
 * <p>Versions are Kafka offsets of one partition, which reach an operator in order; an older upsert comes after a
 * delete only when records are read again, and a week is Kafka's default retention, past which the topic no longer
 * holds what a replay could bring back.
 */
public final class DeletedVersions {

    public static final Duration TTL = Duration.ofDays(7);

    private DeletedVersions() {}

    /** A fresh descriptor of the state (named {@code deleted-version}) with its time to live. */
    public static ValueStateDescriptor<Long> descriptor() {
        ValueStateDescriptor<Long> descriptor = new ValueStateDescriptor<>("deleted-version", Types.LONG);
        descriptor.enableTimeToLive(StateTtlConfig.newBuilder(TTL)
                .setUpdateType(StateTtlConfig.UpdateType.OnCreateAndWrite)
                .setStateVisibility(StateTtlConfig.StateVisibility.NeverReturnExpired)
                .build());
        return descriptor;
    }
}
