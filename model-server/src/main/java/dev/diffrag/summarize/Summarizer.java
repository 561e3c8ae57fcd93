package dev.diffrag.summarize;

import java.util.List;

/**
 * Extractive summarization: every summary sentence is a verbatim span of its document, so a summary can never say
 * what the document does not. Batched like {@link dev.diffrag.answer.Answerer}; results are in request order.
 */
public interface Summarizer extends AutoCloseable {

    /** Shown in every summary's {@code model} field, e.g. {@code lead-3} or {@code diff-v1-salience}. */
    String name();

    List<Summary> summarize(List<SummaryRequest> batch);

    @Override
    default void close() {}
}
