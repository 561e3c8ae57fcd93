package dev.diffrag.pipeline.answer;

import dev.diffrag.answer.Answerer;
import dev.diffrag.answer.BestSentenceAnswerer;
import dev.diffrag.pipeline.PipelineConfig;
import dev.diffrag.reader.DiffReaderAnswerer;
import java.io.Serializable;
import java.util.Optional;

/**
 * Creates the answerer inside each task (models are not serializable, so the job graph carries this recipe instead).
 */
@FunctionalInterface
public interface AnswererFactory extends Serializable {

    Answerer create();

    /** The answerer named by {@link AnswerConfig#answerer()}. */
    static AnswererFactory of(AnswerConfig config) {
        double threshold = config.abstainThreshold();
        // The reader abstains by its own threshold, calibrated on development data with its checkpoint.
        Optional<String> reader = DiffReaderAnswerer.selectedBy(config.answerer());
        if (reader.isPresent()) {
            String name = reader.get();
            // Checked when the job is built: inside the tasks, a typo would fail them again on every restart.
            DiffReaderAnswerer.requireKnown(name);
            return () -> DiffReaderAnswerer.selectedUnchecked(name);
        }
        return switch (config.answerer()) {
            case "baseline" -> () -> new BestSentenceAnswerer(threshold);
            case "remote" -> {
                RemoteAnswererConfig remote = config.remote();
                if (remote.url() == null) {
                    throw new IllegalArgumentException("answerer 'remote' needs the model server's URL ("
                            + PipelineConfig.ANSWER_REMOTE_URL + " / DIFFRAG_ANSWER_REMOTE_URL)");
                }
                long budgetMs = config.timeoutMs();
                yield () -> new RemoteAnswerer(remote, budgetMs);
            }
            default -> throw new IllegalArgumentException(
                    "unknown answerer '" + config.answerer()
                            + "' (known: diff-reader, diff-reader:NAME of a shipped reader, diff-reader:DIR of a trained one,"
                            + " baseline, remote)");
        };
    }
}
