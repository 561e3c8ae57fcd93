package dev.diffrag.pipeline.ingest;

import static dev.diffrag.pipeline.ingest.DeadLetters.readPayload;
import static dev.diffrag.pipeline.ingest.DeadLetters.requireAtMost;
import static dev.diffrag.pipeline.ingest.DeadLetters.requireTenant;
import static dev.diffrag.pipeline.ingest.DeadLetters.requireText;

import dev.diffrag.connectors.kafka.RawRecord;
import dev.diffrag.connectors.records.DocumentOp;
import dev.diffrag.connectors.records.DocumentRecord;
import dev.diffrag.pipeline.ingest.DeadLetters.MalformedRecordException;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Parses, validates and chunks document records; malformed ones go to {@link DeadLetters#TAG} with the reason, so the
 * job never fails on input.
 *
 * <p><b>Versions.</b> A document's version is the Kafka offset of the record that produced it. Records of one
 * document share a key ({@code tenant/docId}, checked here), hence a partition, where offsets only grow: later changes
 * always get larger versions, and replaying the topic after a failure gives every change the same version again.
 * Producer timestamps give neither guarantee.
 */
public final class ParseDocuments extends ProcessFunction<RawRecord, DocumentChange> {

    private final int chunkSize;
    private final int chunkOverlap;
    private final int maxDocumentChars;

    private transient Chunker chunker;
    private transient Counter deadLetters;

    public ParseDocuments(int chunkSize, int chunkOverlap, int maxDocumentChars) {
        this.chunkSize = chunkSize;
        this.chunkOverlap = chunkOverlap;
        this.maxDocumentChars = maxDocumentChars;
    }

    @Override
    public void open(OpenContext openContext) {
        chunker = new Chunker(chunkSize, chunkOverlap);
        deadLetters = getRuntimeContext().getMetricGroup().counter("deadLetters");
    }

    @Override
    public void processElement(RawRecord raw, Context ctx, Collector<DocumentChange> out) {
        DocumentChange change;
        try {
            change = parse(raw);
        } catch (MalformedRecordException e) {
            deadLetters.inc();
            ctx.output(DeadLetters.TAG, DeadLetters.of(raw, e.getMessage()));
            return;
        }
        out.collect(change);
    }

    private DocumentChange parse(RawRecord raw) throws MalformedRecordException {
        DocumentRecord doc = readPayload(raw, DocumentRecord.class);
        requireTenant(doc.tenant());
        requireText(doc.id(), "id");
        if (doc.op() == null) {
            throw new MalformedRecordException("missing field 'op'");
        }
        if (raw.key() != null && !raw.key().equals(doc.key())) {
            // Another key could put versions of one document on different partitions, out of order.
            throw new MalformedRecordException("record key '" + raw.key() + "' is not tenant/id '" + doc.key() + "'");
        }
        long version = raw.offset();
        long producedAtMs = doc.ts() != null ? doc.ts() : raw.timestamp();
        if (doc.op() == DocumentOp.DELETE) {
            return new DocumentChange(doc.tenant(), doc.id(), version, DocumentOp.DELETE, List.of(), producedAtMs);
        }
        String text = requireText(doc.text(), "text");
        requireAtMost(text, "text", maxDocumentChars);
        return new DocumentChange(
                doc.tenant(), doc.id(), version, DocumentOp.UPSERT, chunk(doc, version, text), producedAtMs);
    }

    private List<Chunk> chunk(DocumentRecord doc, long version, String text) throws MalformedRecordException {
        List<Chunker.Span> spans;
        try {
            spans = chunker.split(text);
        } catch (IllegalArgumentException e) {
            throw new MalformedRecordException("cannot chunk text: " + e.getMessage());
        }
        List<Chunk> chunks = new ArrayList<>(spans.size());
        for (Chunker.Span span : spans) {
            String id = Chunk.id(doc.tenant(), doc.id(), version, chunks.size());
            chunks.add(new Chunk(
                    id, doc.id(), version, span.start(), span.end(), text.substring(span.start(), span.end()), null));
        }
        return chunks;
    }
}
