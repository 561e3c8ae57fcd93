package dev.diffrag.pipeline.retrieve;

import dev.diffrag.connectors.records.QuestionRecord;
import java.util.List;

/**
 * The global top-k passages of a question, best first; emitted once per question.
 *
 * @param questionReceivedMs wall-clock time at which the job parsed the question
 */
public record RetrievalResult(QuestionRecord question, List<RetrievedPassage> passages, long questionReceivedMs) {}
