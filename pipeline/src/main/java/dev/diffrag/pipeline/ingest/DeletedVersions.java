package dev.diffrag.pipeline.ingest;

import dev.diffrag.pipeline.ReplayHorizon;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;

/**
 * Keyed state of the version of a document's last delete, so that an older upsert arriving after it is ignored rather
 * than bringing the document back. Only kept for the {@link ReplayHorizon}: kept forever, every id ever deleted (even
 * one that never existed) would stay in state, so a stream of deletes would grow it without bound.
 *
 * <p>Versions are Kafka offsets of one partition, which reach an operator in order; an older upsert comes after a
 * delete only when records are read again.
 */
public final class DeletedVersions {

    private DeletedVersions() {}

    /** A fresh descriptor of the state (named {@code deleted-version}) with its time to live. */
    public static ValueStateDescriptor<Long> descriptor() {
        return ReplayHorizon.expiring(new ValueStateDescriptor<>("deleted-version", Types.LONG));
    }
}
