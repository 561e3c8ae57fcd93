package dev.diffrag.summarize;

import dev.diffrag.text.SentenceSplitter;
import java.util.ArrayList;
import java.util.List;

/**
 * LEAD-k: the first k sentences (or fewer when a request asks for fewer). News puts the essentials first, which makes
 * it the baseline a news summarizer has to beat. With a token budget the sentences are taken in document order under
 * the {@link SummaryBudget}: one that does not fit is skipped, a later, shorter one may still fit.
 */
public final class LeadSummarizer implements Summarizer {

    private final int k;
    private final int maxTokens;

    public LeadSummarizer(int k) {
        this(k, 0);
    }

    /** @param maxTokens token budget of a summary (0 = only the sentence count limits) */
    public LeadSummarizer(int k, int maxTokens) {
        if (k < 1 || maxTokens < 0) {
            throw new IllegalArgumentException("need k >= 1 and maxTokens >= 0, got " + k + ", " + maxTokens);
        }
        this.k = k;
        this.maxTokens = maxTokens;
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
        int limit = Math.min(k, request.maxSentences());
        List<Summary.Sentence> sentences = new ArrayList<>();
        int tokens = 0;
        for (SentenceSplitter.Span span : SentenceSplitter.split(request.text())) {
            if (sentences.size() >= limit) {
                break;
            }
            String text = span.of(request.text());
            int sentenceTokens = SummaryBudget.tokens(text);
            if (maxTokens > 0 && tokens + sentenceTokens > maxTokens) {
                continue;
            }
            sentences.add(new Summary.Sentence(text, span.start(), span.end()));
            tokens += sentenceTokens;
        }
        return new Summary(request.id(), sentences);
    }
}
