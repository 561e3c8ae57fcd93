package dev.diffrag.pipeline.retrieve;

import dev.diffrag.connectors.kafka.RawRecord;
import dev.diffrag.connectors.records.DeadLetterRecord;
import dev.diffrag.pipeline.index.EmbeddedQuestion;
import dev.diffrag.pipeline.index.IndexDocuments;
import dev.diffrag.pipeline.index.PartialRetrieval;
import dev.diffrag.pipeline.ingest.DeadLetters;
import dev.diffrag.pipeline.ingest.DocumentChange;
import dev.diffrag.pipeline.ingest.EmbedChunks;
import dev.diffrag.pipeline.ingest.ParseDocuments;
import dev.diffrag.pipeline.ingest.ParseQuestions;
import dev.diffrag.pipeline.ingest.ValidQuestion;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;

/** The retrieval half of the job, from raw Kafka records to the global top-k passages of each question. */
public final class IndexAndRetrieve {

    /** How much longer than the merge timeout a merged question is remembered, to drop its late partial results. */
    private static final int REMEMBER_EMITTED_TIMEOUTS = 10;

    /** The merged retrievals, and every malformed document or question record with its reason. */
    public record Streams(DataStream<RetrievalResult> retrievals, DataStream<DeadLetterRecord> deadLetters) {}

    private IndexAndRetrieve() {}

    /** Wires parse → chunk+embed → keyed index ← broadcast questions → merge. */
    public static Streams build(DataStream<RawRecord> documents, DataStream<RawRecord> questions, IndexConfig config) {
        SingleOutputStreamOperator<DocumentChange> parsedDocuments = documents
                .process(new ParseDocuments(config.chunkSize(), config.chunkOverlap(), config.maxDocumentChars()))
                .uid("parse-documents")
                .name("Parse and chunk documents");
        DataStream<DocumentChange> embeddedDocuments = parsedDocuments
                .map(new EmbedChunks())
                .uid("embed-chunks")
                .name("Embed chunks");

        SingleOutputStreamOperator<ValidQuestion> parsedQuestions = questions
                .process(new ParseQuestions(config.maxQuestionChars(), config.defaultTopK()))
                .uid("parse-questions")
                .name("Parse questions");
        DataStream<EmbeddedQuestion> embeddedQuestions = parsedQuestions
                .map(new EmbedQuestion())
                .uid("embed-questions")
                .name("Embed questions");

        DataStream<PartialRetrieval> partials = embeddedDocuments
                .keyBy(DocumentChange::key, Types.STRING)
                // Questions are only searched, never stored, so the broadcast side needs no broadcast state.
                .connect(embeddedQuestions.broadcast(new MapStateDescriptor<?, ?>[0]))
                .process(new IndexDocuments())
                .uid("hybrid-index")
                .name("Hybrid index (BM25 + HNSW)");

        DataStream<RetrievalResult> retrievals = partials
                .keyBy(partial -> partial.question().key(), Types.STRING)
                .process(new MergeRetrievals(
                        config.mergeTimeoutMs(), REMEMBER_EMITTED_TIMEOUTS * config.mergeTimeoutMs()))
                .uid("merge-retrievals")
                .name("Merge retrievals (RRF)");

        DataStream<DeadLetterRecord> deadLetters = parsedDocuments
                .getSideOutput(DeadLetters.TAG)
                .union(parsedQuestions.getSideOutput(DeadLetters.TAG));
        return new Streams(retrievals, deadLetters);
    }
}
