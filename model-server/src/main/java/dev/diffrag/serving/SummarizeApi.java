package dev.diffrag.serving;

import dev.diffrag.summarize.Summary;
import java.util.List;

/** The JSON of {@code POST /v1/summarize}: extractive summaries whose sentences carry their offsets. */
public final class SummarizeApi {

    public static final String PATH = "/v1/summarize";

    /** Sentences per summary when the request does not say. */
    public static final int DEFAULT_MAX_SENTENCES = 3;

    private SummarizeApi() {}

    public record Document(String id, String text) {}

    public record Request(List<Document> documents, Integer maxSentences) {}

    /** Summaries in request order. */
    public record Response(String model, List<Summary> summaries) {}
}
