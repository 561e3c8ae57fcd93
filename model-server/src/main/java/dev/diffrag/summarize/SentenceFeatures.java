package dev.diffrag.summarize;

import dev.diffrag.text.Vectors;
import java.util.Arrays;

/**
 * Scalar cues appended to each sentence embedding when a {@link SalienceConfig} asks for them: what an extractive
 * news summarizer leans on and a few hundred training articles teach a model only slowly from the embeddings alone.
 * <ul>
 *   <li>relative position {@code i / n} (the absolute position is the model's position embedding);
 *   <li>length, {@code min(tokens, 100) / 50}: ROUGE F1 against a ~50-token reference rewards full sentences;
 *   <li>centrality, the cosine of the sentence to the mean of the document's sentence embeddings.
 * </ul>
 */
public final class SentenceFeatures {

    /** How many features {@link #of} appends. */
    public static final int COUNT = 3;

    private SentenceFeatures() {}

    /**
     * The model inputs of a document's first {@code maxSentences} sentences: each embedding, followed by its
     * {@link #COUNT} features when {@code withFeatures} (computed over the whole document).
     */
    public static float[][] of(EmbeddedDocument document, int maxSentences, boolean withFeatures) {
        float[][] embeddings = document.embeddings();
        int n = embeddings.length;
        float[][] inputs = new float[Math.min(n, maxSentences)][];
        float[] centroid = withFeatures ? centroid(embeddings) : null;
        for (int s = 0; s < inputs.length; s++) {
            if (!withFeatures) {
                inputs[s] = embeddings[s];
                continue;
            }
            int width = embeddings[s].length;
            inputs[s] = Arrays.copyOf(embeddings[s], width + COUNT);
            inputs[s][width] = (float) s / n;
            inputs[s][width + 1] = Math.min(trainedLength(document.sentence(s)), 100) / 50f;
            inputs[s][width + 2] = (float) Vectors.cosine(embeddings[s], centroid);
        }
        return inputs;
    }

    /**
     * Tokens between ASCII whitespace, the count the shipped checkpoints were trained with (a no-break space does not
     * separate here, unlike in {@link SummaryBudget#tokens}); changing it would change their inputs.
     */
    private static int trainedLength(String sentence) {
        String trimmed = sentence.strip();
        return trimmed.isEmpty() ? 0 : trimmed.split("\\s+").length;
    }

    /** The sum of the embeddings: the direction of their mean, which is all a cosine needs. */
    private static float[] centroid(float[][] embeddings) {
        float[] sum = new float[embeddings.length == 0 ? 0 : embeddings[0].length];
        for (float[] embedding : embeddings) {
            for (int c = 0; c < sum.length; c++) {
                sum[c] += embedding[c];
            }
        }
        return sum;
    }
}
