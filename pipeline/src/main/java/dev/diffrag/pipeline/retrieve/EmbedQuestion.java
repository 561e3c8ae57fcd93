package dev.diffrag.pipeline.retrieve;

import dev.diffrag.pipeline.index.EmbeddedQuestion;
import dev.diffrag.pipeline.ingest.ValidQuestion;
import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.model.embedding.onnx.allminilml6v2.AllMiniLmL6V2EmbeddingModel;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;

/** Embeds a question with the same model as the chunks, so their cosine similarity is meaningful. */
public final class EmbedQuestion extends RichMapFunction<ValidQuestion, EmbeddedQuestion> {

    private transient EmbeddingModel model;

    @Override
    public void open(OpenContext openContext) {
        model = new AllMiniLmL6V2EmbeddingModel();
    }

    @Override
    public EmbeddedQuestion map(ValidQuestion valid) {
        float[] embedding = model.embed(valid.question().question()).content().vector();
        return new EmbeddedQuestion(
                valid.question(),
                valid.topK(),
                ReciprocalRankFusion.rankWindow(valid.topK()),
                valid.receivedMs(),
                embedding);
    }
}
