package dev.diffrag.connectors.kafka;

/**
 * Where a source without checkpointed offsets starts reading. A job restored from a checkpoint or savepoint
 * always resumes from the offsets in its state.
 */
public enum StartingOffsets {
    /** Everything still retained: a fresh index sees every document. */
    EARLIEST,
    /** Only records produced from now on. */
    LATEST,
    /** The consumer group's committed offsets, or the earliest where the group has none. */
    COMMITTED;

    public static StartingOffsets parse(String value) {
        return ConfigValues.parseEnum(StartingOffsets.class, value);
    }
}
