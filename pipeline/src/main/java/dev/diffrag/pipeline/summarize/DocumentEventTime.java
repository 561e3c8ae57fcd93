package dev.diffrag.pipeline.summarize;

import dev.diffrag.connectors.kafka.RawRecord;
import dev.diffrag.pipeline.ingest.ParseDocuments;
import java.time.Duration;
import org.apache.flink.api.common.eventtime.SerializableTimestampAssigner;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;

/**
 * Event time of the digests: each document's producer time ({@link ParseDocuments#eventTime}), watermarks at the
 * largest producer time seen minus the out-of-orderness bound, idle inputs left out after the idleness timeout.
 *
 * <p>Given to the documents source, so that Flink keeps a watermark per Kafka partition and goes by the smallest: a
 * source reader catching up on a backlog reads one partition's records well ahead of another's. With watermarks made
 * after the source, from what the reader emitted, every document of the partition read second of a two-partition
 * backlog came too late for its window and was in no digest.
 */
public final class DocumentEventTime {

    private DocumentEventTime() {}

    /** For the raw records of the documents source. */
    public static WatermarkStrategy<RawRecord> forDocuments(SummaryConfig config) {
        return of(config, (raw, kafkaTimestamp) -> ParseDocuments.eventTime(raw));
    }

    /** The same watermarks for records whose producer time {@code timestamps} gives. */
    public static <T> WatermarkStrategy<T> of(SummaryConfig config, SerializableTimestampAssigner<T> timestamps) {
        return WatermarkStrategy.<T>forBoundedOutOfOrderness(Duration.ofMillis(config.outOfOrdernessMs()))
                .withTimestampAssigner(timestamps)
                .withIdleness(Duration.ofMillis(config.idleSourceMs()));
    }
}
