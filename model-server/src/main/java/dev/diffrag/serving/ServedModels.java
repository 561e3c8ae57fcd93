package dev.diffrag.serving;

import dev.diffrag.answer.Answerer;
import dev.diffrag.answer.BestSentenceAnswerer;
import dev.diffrag.summarize.Summarizer;

/** The models a {@link ModelServer} can serve, by the names of {@link ServerConfig#answerer()} and {@code summarizer()}. */
public final class ServedModels {

    private ServedModels() {}

    public static Answerer answerer(ServerConfig config) {
        return switch (config.answerer()) {
            case "baseline" -> new BestSentenceAnswerer(config.abstainThreshold());
            default -> throw new IllegalArgumentException("unknown answerer '" + config.answerer() + "' ("
                    + ServerConfig.envName(ServerConfig.ANSWERER) + "; known: baseline)");
        };
    }

    /** Null for {@code none}, the only choice until a summarizer implementation is merged. */
    public static Summarizer summarizer(ServerConfig config) {
        return switch (config.summarizer()) {
            case ServerConfig.NO_SUMMARIZER -> null;
            default -> throw new IllegalArgumentException("unknown summarizer '" + config.summarizer() + "' ("
                    + ServerConfig.envName(ServerConfig.SUMMARIZER) + "; known: none)");
        };
    }
}
