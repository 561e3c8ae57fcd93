package dev.diffrag.summarize;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import dev.diffrag.text.SentenceSplitter;
import org.junit.jupiter.api.Test;

class SentenceFeaturesTest {

    private static final String TEXT = "One two three four. Five six. Seven eight nine ten eleven twelve.";
    private static final float[][] EMBEDDINGS = {{1, 0}, {1, 0}, {0, 1}};
    private static final EmbeddedDocument DOCUMENT = new EmbeddedDocument(TEXT, SentenceSplitter.split(TEXT), EMBEDDINGS);

    @Test
    void featuresFollowTheEmbeddingAndAreComputedOverTheWholeDocument() {
        float[][] inputs = SentenceFeatures.of(DOCUMENT, 2, true);
        assertThat(inputs).hasNumberOfRows(2); // truncated to the model's reach
        // sentence 1: embedding, position 1/3, 2 tokens / 50, cosine to the mean (2/3, 1/3) = 2/√5
        assertThat(inputs[1][0]).isEqualTo(1f);
        assertThat(inputs[1][1]).isEqualTo(0f);
        assertThat((double) inputs[1][2]).isCloseTo(1.0 / 3, offset(1e-6));
        assertThat((double) inputs[1][3]).isCloseTo(2.0 / 50, offset(1e-6));
        assertThat((double) inputs[1][4]).isCloseTo(2 / Math.sqrt(5), offset(1e-6));
        assertThat(inputs[0][3]).isEqualTo(4f / 50);
    }

    @Test
    void withoutFeaturesTheInputsAreTheEmbeddings() {
        float[][] inputs = SentenceFeatures.of(DOCUMENT, 64, false);
        assertThat(inputs).hasNumberOfRows(3);
        assertThat(inputs[2]).containsExactly(0f, 1f);
    }
}
