package dev.diffrag.answer;

import java.util.List;

/**
 * Turns questions and their retrieved passages into grounded answers. Batched, because a model on a GPU is only
 * fast when it is fed several requests at once; the result list is in request order.
 */
public interface Answerer extends AutoCloseable {

    /** Shown in every answer's {@code model} field, e.g. {@code baseline-sentence} or {@code diff-v2-reader}. */
    String name();

    List<GroundedAnswer> answer(List<AnswerRequest> batch);

    @Override
    default void close() {}
}
