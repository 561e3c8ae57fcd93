package dev.diffrag.serving;

import dev.diffrag.answer.GroundedAnswer;
import java.util.List;

/**
 * The JSON of {@code POST /v1/answer}, shared by the server and its remote clients so that the two cannot drift apart.
 * The response is a {@link GroundedAnswer} (the same fields as the batch {@code answer} command) plus the model name.
 */
public final class AnswerApi {

    public static final String PATH = "/v1/answer";

    private AnswerApi() {}

    public record Context(String id, String text) {}

    /** @param topK when given, only the first {@code topK} contexts (retrieval order) are read */
    public record Request(String question, List<Context> contexts, Integer topK) {}

    public record Response(
            String answer, boolean abstained, double confidence, GroundedAnswer.Citation citation, String model) {

        public static Response of(GroundedAnswer answer, String model) {
            return new Response(answer.answer(), answer.abstained(), answer.confidence(), answer.citation(), model);
        }

        public GroundedAnswer toGroundedAnswer() {
            return new GroundedAnswer(answer, abstained, confidence, citation);
        }
    }
}
