package dev.diffrag.reader.eval;

import dev.diffrag.answer.Passage;
import java.util.List;

/**
 * The passages a question is read over in the {@code open} setting: a real retriever over every XQuAD paragraph. The
 * pipeline's hybrid retriever implements it, so the reader is evaluated behind the retrieval users get.
 */
public interface PassageRetriever extends AutoCloseable {

    /** The retrieved passages for the question, best first. */
    List<Passage> retrieve(String question);

    /** A line for the report: what retrieves, and how many passages. */
    String description();
}
