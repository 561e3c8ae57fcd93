package dev.diffrag.serving;

import dev.diffrag.summarize.Summarizer;
import dev.diffrag.summarize.Summary;
import dev.diffrag.summarize.SummaryRequest;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A small real summarizer for server tests: the document's first sentences (split after ". "), with offsets. Like
 * {@link KeywordAnswerer} it can hold batches at a {@link ModelGate}, and it records the documents it summarized.
 */
final class LeadSentencesSummarizer implements Summarizer {

    /** The ids of the documents that reached the model, in order. */
    final List<String> summarized = Collections.synchronizedList(new ArrayList<>());
    /** Holds batches until the test opens it. */
    final ModelGate gate;
    /** The thread that called the model last: the server's summarize batcher. */
    volatile Thread caller;

    /** Summarizes at once. */
    LeadSentencesSummarizer() {
        this(Integer.MAX_VALUE / 2);
    }

    /** Lets the first {@code free} batches through (the server's warm-up is one); later ones wait for the gate. */
    LeadSentencesSummarizer(int free) {
        this.gate = new ModelGate(free);
    }

    @Override
    public String name() {
        return "lead-test";
    }

    @Override
    public List<Summary> summarize(List<SummaryRequest> batch) {
        caller = Thread.currentThread();
        batch.forEach(request -> summarized.add(request.id()));
        gate.pass();
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
