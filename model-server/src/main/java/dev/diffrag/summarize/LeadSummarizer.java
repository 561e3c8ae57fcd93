package dev.diffrag.summarize;

import dev.diffrag.text.SentenceSplitter;
import java.util.List;

/**
 * LEAD-k: the first k sentences (or fewer when a request asks for fewer). News puts the essentials first, which makes
 * it the baseline a news summarizer has to beat.
 */
public final class LeadSummarizer implements Summarizer {

    private final int k;

    public LeadSummarizer(int k) {
        if (k < 1) {
            throw new IllegalArgumentException("k must be positive, got " + k);
        }
        this.k = k;
    }

    @Override
    public String name() {
        return "lead-" + k;
    }

    @Override
    public List<Summary> summarize(List<SummaryRequest> batch) {
        return batch.stream().map(this::summarize).toList();
    }

    private Summary summarize(SummaryRequest request) {
        List<Summary.Sentence> sentences = SentenceSplitter.split(request.text()).stream()
                .limit(Math.min(k, request.maxSentences()))
                .map(span -> new Summary.Sentence(span.of(request.text()), span.start(), span.end()))
                .toList();
        return new Summary(request.id(), sentences);
    }
}
