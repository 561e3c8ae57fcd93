package dev.diffrag.serving;

import dev.diffrag.summarize.Summarizer;
import dev.diffrag.summarize.Summary;
import dev.diffrag.summarize.SummaryRequest;
import java.util.ArrayList;
import java.util.List;

/** A small real summarizer for server tests: the document's first sentences (split after ". "), with offsets. */
final class LeadSentencesSummarizer implements Summarizer {

    @Override
    public String name() {
        return "lead-test";
    }

    @Override
    public List<Summary> summarize(List<SummaryRequest> batch) {
        return batch.stream().map(LeadSentencesSummarizer::summarize).toList();
    }

    private static Summary summarize(SummaryRequest request) {
        String text = request.text();
        List<Summary.Sentence> sentences = new ArrayList<>();
        int start = 0;
        while (start < text.length() && sentences.size() < request.maxSentences()) {
            int stop = text.indexOf(". ", start);
            int end = stop < 0 ? text.length() : stop + 1;
            sentences.add(new Summary.Sentence(text.substring(start, end), start, end));
            start = stop < 0 ? text.length() : stop + 2;
        }
        return new Summary(request.id(), sentences);
    }
}
