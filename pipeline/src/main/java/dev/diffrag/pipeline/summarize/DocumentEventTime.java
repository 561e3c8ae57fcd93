package dev.diffrag.pipeline.summarize;

import dev.diffrag.connectors.kafka.RawRecord;
import dev.diffrag.pipeline.ingest.ParseDocuments;
import org.apache.flink.api.common.eventtime.SerializableTimestampAssigner;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;

/**
 * Event time of the digests: each document's producer time ({@link ParseDocuments#eventTime}), watermarks at the
 * largest producer time seen minus the out-of-orderness bound, and an input idle for the idleness timeout following the
 * job's clock ({@link ProducerTimeWatermarks}).
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
        long outOfOrdernessMs = config.outOfOrdernessMs();
        long idlenessMs = config.idleSourceMs();
        return WatermarkStrategy.<T>forGenerator(context -> new ProducerTimeWatermarks<>(outOfOrdernessMs, idlenessMs,
                        context.getInputActivityClock(), System::currentTimeMillis))
                .withTimestampAssigner(timestamps);
    }
}
