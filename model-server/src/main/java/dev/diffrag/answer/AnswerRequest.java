package dev.diffrag.answer;

import java.util.List;

/** A question and the passages its answer must come from, in retrieval order. */
public record AnswerRequest(String question, List<Passage> contexts) {}
