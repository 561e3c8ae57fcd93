package dev.diffrag.pipeline.ingest;

import static dev.diffrag.pipeline.ingest.DeadLetters.readPayload;
import static dev.diffrag.pipeline.ingest.DeadLetters.requireAtMost;
import static dev.diffrag.pipeline.ingest.DeadLetters.requireKeyPart;
import static dev.diffrag.pipeline.ingest.DeadLetters.requireTenant;
import static dev.diffrag.pipeline.ingest.DeadLetters.requireText;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.diffrag.connectors.Json;
import dev.diffrag.connectors.kafka.RawRecord;
import dev.diffrag.connectors.records.DocumentOp;
import dev.diffrag.connectors.records.DocumentRecord;
import dev.diffrag.connectors.records.RecordKeys;
import dev.diffrag.pipeline.ingest.DeadLetters.MalformedRecordException;
import dev.diffrag.text.SentenceSplitter;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
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

    /**
     * How far a document's producer time may run ahead of the job's clock. Further is not a clock's skew but a wrong
     * unit or value (microseconds give dates thousands of years ahead): as event time it would push the digests'
     * watermark past every other document of its reader, and {@code Long.MIN_VALUE} fails window assignment.
     */
    static final long MAX_PRODUCED_AHEAD_MS = Duration.ofDays(1).toMillis();

    /**
     * Why a field without {@linkplain SentenceSplitter#hasContent content} is malformed: only whitespace, controls,
     * zero-width, private-use characters or lone marks, which the embedders give no token.
     */
    static final String NO_CONTENT = "field '%s' has no character the embedder reads (only whitespace, invisible or "
            + "private-use characters and lone marks)";

    /** Longest {@code metadata.topic}: it is part of the digest's Kafka key, like the document key. */
    static final int MAX_TOPIC_CHARS = RecordKeys.MAX_CHARS;

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

    /**
     * A document record that passed validation, with its version (the record's Kafka offset) and producer time (its
     * {@code ts}, else the Kafka record timestamp; at most the job's clock, so a producer clock that runs ahead does
     * not run the digests' event time ahead of the documents of other producers).
     */
    public record ValidDocument(DocumentRecord record, long version, long producedAtMs) {
        /** Its {@code metadata.topic}; null when absent or blank. */
        public String topic() {
            return topicOf(record);
        }
    }

    private static String topicOf(DocumentRecord doc) {
        String topic = doc.metadata() == null ? null : doc.metadata().get("topic");
        return topic == null || topic.isBlank() ? null : topic;
    }

    /**
     * The checks every consumer of the documents topic applies: payload, tenant, id, op, key = tenant/id, a producer
     * time from 1970 up to a day ahead of now, a topic of at most {@link #MAX_TOPIC_CHARS} (a part of the digest's key,
     * so checked like tenant and id), and for upserts a text of at most {@code maxDocumentChars}. Shared with the
     * summaries branch so both agree on what a valid document is (only this operator dead-letters the rest).
     */
    public static ValidDocument validate(RawRecord raw, int maxDocumentChars) throws MalformedRecordException {
        DocumentRecord doc = readPayload(raw, DocumentRecord.class);
        requireTenant(doc.tenant());
        requireKeyPart(doc.id(), "id");
        if (doc.op() == null) {
            throw new MalformedRecordException("missing field 'op'");
        }
        if (raw.key() == null) {
            // Unkeyed records are spread over partitions, and offsets of different partitions do not order versions.
            throw new MalformedRecordException("record has no key; documents must be keyed tenant/id '" + doc.key() + "'");
        }
        if (!RecordKeys.fits(raw.key())) {
            // The index stores the key as one Lucene term, which may not exceed 32,766 bytes.
            throw new MalformedRecordException("record key has " + raw.key().length()
                    + " characters, over the limit of " + RecordKeys.MAX_CHARS);
        }
        if (!raw.key().equals(doc.key())) {
            // Another key could put versions of one document on different partitions, out of order.
            throw new MalformedRecordException("record key '" + raw.key() + "' is not tenant/id '" + doc.key() + "'");
        }
        if (doc.op() == DocumentOp.UPSERT) {
            requireAtMost(requireText(doc.text(), "text"), "text", maxDocumentChars);
            if (!SentenceSplitter.hasContent(doc.text())) {
                // The embedder refuses such text, and failing on it would fail the job again after every restart.
                // Checked here, not only where chunks are made, so that the summaries branch rejects it too.
                throw new MalformedRecordException(NO_CONTENT.formatted("text"));
            }
        }
        if (topicOf(doc) != null) {
            requireAtMost(topicOf(doc), "metadata.topic", MAX_TOPIC_CHARS);
            requireKeyPart(topicOf(doc), "metadata.topic");
        }
        return new ValidDocument(doc, raw.offset(), producedAt(doc.ts(), raw.timestamp()));
    }

    /**
     * A document record's producer time as {@link #validate} takes it, read from its JSON without validating the rest
     * (the documents source stamps each record with it, see {@code DocumentEventTime}); {@link Long#MIN_VALUE} when
     * validation will reject the record for its time or its JSON.
     */
    public static long eventTime(RawRecord raw) {
        try {
            return producedAt(readTs(raw.value()), raw.timestamp());
        } catch (MalformedRecordException | IOException | RuntimeException e) {
            return Long.MIN_VALUE;
        }
    }

    /**
     * The top-level {@code ts} of a JSON object; null when it has none or it is null.
     *
     * @throws IOException also when the payload is no JSON object or its {@code ts} no integer, which validation
     *                     rejects as well (a float {@code ts} was taken as the event time of a record that was
     *                     dead-lettered)
     */
    private static Long readTs(byte[] json) throws IOException {
        try (JsonParser parser = Json.MAPPER.createParser(json)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                throw new IOException("not a JSON object");
            }
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String field = parser.currentName();
                JsonToken value = parser.nextToken();
                if (field.equals("ts")) {
                    if (value == JsonToken.VALUE_NULL) {
                        return null;
                    }
                    if (value != JsonToken.VALUE_NUMBER_INT) {
                        throw new IOException("field 'ts' is not an integer");
                    }
                    return parser.getLongValue();
                }
                parser.skipChildren(); // text fields are skipped, not decoded
            }
            return null;
        }
    }

    /**
     * {@code ts}, else the Kafka record timestamp; taken as now when it is ahead of now.
     *
     * @throws MalformedRecordException when that time is before 1970 or over a day ahead of now
     */
    private static long producedAt(Long ts, long kafkaTimestamp) throws MalformedRecordException {
        long now = System.currentTimeMillis();
        long producedAt = ts != null ? ts : kafkaTimestamp;
        String source = ts != null ? "field 'ts'" : "the Kafka record timestamp";
        if (producedAt < 0) {
            throw new MalformedRecordException(source + " is " + producedAt
                    + ", before 1970; it must be milliseconds since the epoch");
        }
        if (producedAt > now + MAX_PRODUCED_AHEAD_MS) {
            throw new MalformedRecordException(source + " is " + producedAt + ", " + Instant.ofEpochMilli(producedAt)
                    + ", over a day ahead of this job's clock; it must be milliseconds since the epoch");
        }
        return Math.min(producedAt, now);
    }

    private DocumentChange parse(RawRecord raw) throws MalformedRecordException {
        ValidDocument valid = validate(raw, maxDocumentChars);
        DocumentRecord doc = valid.record();
        long version = valid.version();
        if (doc.op() == DocumentOp.DELETE) {
            return new DocumentChange(doc.tenant(), doc.id(), version, DocumentOp.DELETE, List.of(),
                    valid.producedAtMs());
        }
        return new DocumentChange(
                doc.tenant(), doc.id(), version, DocumentOp.UPSERT, chunk(doc, version, doc.text()),
                valid.producedAtMs());
    }

    private List<Chunk> chunk(DocumentRecord doc, long version, String text) throws MalformedRecordException {
        List<Chunker.Span> spans;
        try {
            spans = chunker.split(text);
        } catch (RuntimeException e) {
            // Whatever the splitter cannot handle is bad input, not a reason to fail the job.
            throw new MalformedRecordException("cannot chunk text: " + e.getMessage());
        }
        List<Chunk> chunks = new ArrayList<>(spans.size());
        for (Chunker.Span span : spans) {
            String chunkText = text.substring(span.start(), span.end());
            if (!SentenceSplitter.hasContent(chunkText)) {
                continue; // a run of bullet glyphs or zero-width spaces: nothing to embed or find
            }
            String id = Chunk.id(doc.tenant(), doc.id(), version, chunks.size());
            chunks.add(new Chunk(id, doc.id(), version, span.start(), span.end(), chunkText, null));
        }
        return chunks;
    }
}
