package dev.diffrag.pipeline.summarize;

import dev.diffrag.summarize.Summarizer;
import java.io.Serializable;

/** Creates the summarizer inside each task (models are not serializable, so the job graph carries this recipe). */
@FunctionalInterface
public interface SummarizerFactory extends Serializable {

    Summarizer create();

    /** The summarizer named by {@link SummaryConfig#summarizer()}, with the document summary token budget. */
    static SummarizerFactory of(SummaryConfig config) {
        return () -> config.newSummarizer(config.maxTokens());
    }

    /** The summarizer named by {@link SummaryConfig#summarizer()} for digests, whose budget is a sentence count. */
    static SummarizerFactory forDigests(SummaryConfig config) {
        return () -> config.newSummarizer(0);
    }
}
