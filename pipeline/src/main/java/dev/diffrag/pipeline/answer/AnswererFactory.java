package dev.diffrag.pipeline.answer;

import dev.diffrag.answer.Answerer;
import dev.diffrag.answer.BestSentenceAnswerer;
import java.io.Serializable;

/**
 * Creates the answerer inside each task (models are not serializable, so the job graph carries this recipe instead).
 */
@FunctionalInterface
public interface AnswererFactory extends Serializable {

    Answerer create();

    /** The answerer named by {@link AnswerConfig#answerer()}. */
    static AnswererFactory of(AnswerConfig config) {
        double threshold = config.abstainThreshold();
        return switch (config.answerer()) {
            case "baseline" -> () -> new BestSentenceAnswerer(threshold);
            default -> throw new IllegalArgumentException(
                    "unknown answerer '" + config.answerer() + "' (known: baseline)");
        };
    }
}
