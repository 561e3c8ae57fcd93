package dev.diffrag.serving;

import dev.diffrag.answer.Answerer;
import dev.diffrag.answer.BestSentenceAnswerer;
import dev.diffrag.reader.DiffReaderAnswerer;
import dev.diffrag.summarize.Summarizer;
import dev.diffrag.summarize.Summarizers;

/** The models a {@link ModelServer} can serve, by the names of {@link ServerConfig#answerer()} and {@code summarizer()}. */
public final class ServedModels {

    private ServedModels() {}

    public static Answerer answerer(ServerConfig config) {
        var reader = DiffReaderAnswerer.selectedBy(config.answerer());
        if (reader.isPresent()) {
            return DiffReaderAnswerer.selectedUnchecked(reader.get());
        }
        if (config.answerer().equals("baseline")) {
            return new BestSentenceAnswerer(config.abstainThreshold());
        }
        throw new IllegalArgumentException("unknown answerer '" + config.answerer() + "' ("
                + ServerConfig.envName(ServerConfig.ANSWERER)
                + "; known: diff-reader, diff-reader:NAME, diff-reader:DIR, baseline)");
    }

    /** Null for {@code none}; otherwise a name {@link Summarizers#named} knows (diff-v1, vanilla, lead-N). */
    public static Summarizer summarizer(ServerConfig config) {
        if (config.summarizer().equals(ServerConfig.NO_SUMMARIZER)) {
            return null;
        }
        try {
            return Summarizers.named(config.summarizer(), 0);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    e.getMessage() + " or none (" + ServerConfig.envName(ServerConfig.SUMMARIZER) + ")", e);
        }
    }
}
