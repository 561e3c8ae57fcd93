package dev.diffrag.pipeline.ingest;

import static dev.diffrag.pipeline.ingest.DeadLetters.readPayload;
import static dev.diffrag.pipeline.ingest.DeadLetters.requireAtMost;
import static dev.diffrag.pipeline.ingest.DeadLetters.requireKeyPart;
import static dev.diffrag.pipeline.ingest.DeadLetters.requireTenant;
import static dev.diffrag.pipeline.ingest.DeadLetters.requireText;

import dev.diffrag.connectors.kafka.RawRecord;
import dev.diffrag.connectors.records.QuestionRecord;
import dev.diffrag.connectors.records.RecordKeys;
import dev.diffrag.pipeline.ingest.DeadLetters.MalformedRecordException;
import dev.diffrag.text.SentenceSplitter;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

/** Parses and validates question records; malformed ones go to {@link DeadLetters#TAG} with the reason. */
public final class ParseQuestions extends ProcessFunction<RawRecord, ValidQuestion> {

    /** Every index subtask returns this many candidates per ranking and question, so the bound keeps work bounded. */
    public static final int MAX_TOP_K = 100;

    private final int maxQuestionChars;
    private final int defaultTopK;

    private transient Counter deadLetters;

    public ParseQuestions(int maxQuestionChars, int defaultTopK) {
        if (defaultTopK <= 0 || defaultTopK > MAX_TOP_K) {
            throw new IllegalArgumentException("defaultTopK must be in 1.." + MAX_TOP_K + ", got " + defaultTopK);
        }
        this.maxQuestionChars = maxQuestionChars;
        this.defaultTopK = defaultTopK;
    }

    @Override
    public void open(OpenContext openContext) {
        deadLetters = getRuntimeContext().getMetricGroup().counter("deadLetters");
    }

    @Override
    public void processElement(RawRecord raw, Context ctx, Collector<ValidQuestion> out) {
        ValidQuestion question;
        try {
            question = parse(raw);
        } catch (MalformedRecordException e) {
            deadLetters.inc();
            ctx.output(DeadLetters.TAG, DeadLetters.of(raw, e.getMessage()));
            return;
        }
        out.collect(question);
    }

    private ValidQuestion parse(RawRecord raw) throws MalformedRecordException {
        QuestionRecord question = readPayload(raw, QuestionRecord.class);
        requireTenant(question.tenant());
        requireKeyPart(question.id(), "id");
        if (!RecordKeys.fits(question.key())) {
            // The answer carries tenant/id as its Kafka key and in its value: a 600,000-character id made an answer
            // over Kafka's 1 MB record limit, and the answers sink failed the job on it after every restart.
            throw new MalformedRecordException(RecordKeys.overLimit(question.key()));
        }
        requireText(question.question(), "question");
        requireAtMost(question.question(), "question", maxQuestionChars);
        if (!SentenceSplitter.hasContent(question.question())) {
            throw new MalformedRecordException(ParseDocuments.NO_CONTENT.formatted("question"));
        }
        Integer topK = question.topK();
        if (topK != null && (topK <= 0 || topK > MAX_TOP_K)) {
            throw new MalformedRecordException("field 'topK' must be in 1.." + MAX_TOP_K + ", got " + topK);
        }
        if (question.ts() != null && question.ts() < 0) {
            // The answer's latency counts from it (a ts ahead of the job's clock counts from when the job read it):
            // ts -1 gave an answer, and questionLatencyMs, a latency of 56 years.
            throw new MalformedRecordException("field 'ts' is " + question.ts()
                    + ", before 1970; it must be milliseconds since the epoch");
        }
        return new ValidQuestion(question, topK == null ? defaultTopK : topK, System.currentTimeMillis());
    }
}
