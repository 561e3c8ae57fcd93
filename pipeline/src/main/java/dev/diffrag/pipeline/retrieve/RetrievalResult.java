package dev.diffrag.pipeline.retrieve;

import dev.diffrag.connectors.records.QuestionRecord;
import java.util.List;

public record RetrievalResult(QuestionRecord question, List<RetrievedPassage> passages, long questionReceivedMs) {}
