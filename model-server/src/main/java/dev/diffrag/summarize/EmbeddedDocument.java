package dev.diffrag.summarize;

import dev.diffrag.text.SentenceSplitter;
import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.EmbeddingModel;
import java.util.ArrayList;
import java.util.List;

/**
 * A document cut into sentences, each with its offsets and its sentence embedding (all-MiniLM-L6-v2 in this
 * project): the input of the salience model and of the MMR redundancy penalty.
 */
public record EmbeddedDocument(String text, List<SentenceSplitter.Span> sentences, float[][] embeddings) {

    public String sentence(int i) {
        return sentences.get(i).of(text);
    }

    /** Splits every text and embeds all their sentences in one call. */
    public static List<EmbeddedDocument> embedAll(EmbeddingModel embedder, List<String> texts) {
        List<List<SentenceSplitter.Span>> spans = texts.stream().map(SentenceSplitter::split).toList();
        List<TextSegment> segments = new ArrayList<>();
        for (int d = 0; d < texts.size(); d++) {
            for (SentenceSplitter.Span span : spans.get(d)) {
                segments.add(TextSegment.from(span.of(texts.get(d))));
            }
        }
        List<Embedding> embeddings = segments.isEmpty() ? List.of() : embedder.embedAll(segments).content();
        List<EmbeddedDocument> documents = new ArrayList<>(texts.size());
        int next = 0;
        for (int d = 0; d < texts.size(); d++) {
            float[][] vectors = new float[spans.get(d).size()][];
            for (int s = 0; s < vectors.length; s++) {
                vectors[s] = embeddings.get(next++).vector();
            }
            documents.add(new EmbeddedDocument(texts.get(d), spans.get(d), vectors));
        }
        return documents;
    }
}
