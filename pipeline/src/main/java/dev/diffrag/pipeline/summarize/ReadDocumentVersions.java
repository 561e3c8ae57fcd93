package dev.diffrag.pipeline.summarize;

import dev.diffrag.connectors.kafka.RawRecord;
import dev.diffrag.connectors.records.DocumentRecord;
import dev.diffrag.pipeline.ingest.DeadLetters.MalformedRecordException;
import dev.diffrag.pipeline.ingest.ParseDocuments;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Validates document records exactly as {@link ParseDocuments} does and keeps the full text and topic. Malformed
 * records are skipped here, not dead-lettered: the index branch reads the same records and dead-letters them once.
 */
public final class ReadDocumentVersions extends ProcessFunction<RawRecord, DocumentVersion> {

    private final int maxDocumentChars;
    private transient Counter skipped;

    public ReadDocumentVersions(int maxDocumentChars) {
        this.maxDocumentChars = maxDocumentChars;
    }

    @Override
    public void open(OpenContext openContext) {
        skipped = getRuntimeContext().getMetricGroup().counter("malformedSkipped");
    }

    @Override
    public void processElement(RawRecord raw, Context ctx, Collector<DocumentVersion> out) {
        ParseDocuments.ValidDocument valid;
        try {
            valid = ParseDocuments.validate(raw, maxDocumentChars);
        } catch (MalformedRecordException e) {
            skipped.inc();
            return;
        }
        DocumentRecord doc = valid.record();
        out.collect(new DocumentVersion(doc.tenant(), doc.id(), valid.version(), doc.op(), doc.text(), valid.topic(),
                valid.producedAtMs()));
    }
}
