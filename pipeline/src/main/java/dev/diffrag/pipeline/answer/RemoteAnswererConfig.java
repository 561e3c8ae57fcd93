package dev.diffrag.pipeline.answer;

import java.io.Serializable;

/**
 * Where and how the {@code remote} answerer calls a model server's {@code POST /v1/answer}.
 *
 * @param url          the server's base URL, e.g. {@code http://model-server:8080}; required for {@code remote}
 * @param timeoutMs    longest one HTTP attempt may take
 * @param retries      further attempts after a connection error, a timeout, 429 or 502/503/504
 * @param maxInFlight  most requests this answerer has open at once (per subtask)
 * @param token        bearer token the server requires, or null
 */
public record RemoteAnswererConfig(String url, long timeoutMs, int retries, int maxInFlight, String token)
        implements Serializable {

    public RemoteAnswererConfig {
        if (timeoutMs < 1 || retries < 0 || maxInFlight < 1) {
            throw new IllegalArgumentException("remote answerer needs timeoutMs >= 1, retries >= 0, maxInFlight >= 1;"
                    + " got " + timeoutMs + ", " + retries + ", " + maxInFlight);
        }
        url = url == null || url.isBlank() ? null : url.trim().replaceAll("/+$", "");
        token = token == null || token.isBlank() ? null : token;
    }

    /**
     * No URL: only needed when the answerer is {@code remote}. An attempt may take 30 s: on a 2-core CPU a model server
     * with the default reader answered a burst of 16 questions with five 800-character passages each in 8.2 s, and
     * with the former 2 s attempts no burst of 4 or 16 questions was answered ({@code docs/results/remote-burst.md}). Retries are for fast
     * failures (connection refused, 429, 503) within the 60 s answer timeout.
     */
    public static RemoteAnswererConfig defaults() {
        return new RemoteAnswererConfig(null, 30_000, 2, 16, null);
    }

    /** Never prints the token. */
    @Override
    public String toString() {
        return "RemoteAnswererConfig{url=" + url + ", timeoutMs=" + timeoutMs + ", retries=" + retries
                + ", maxInFlight=" + maxInFlight + ", token=" + (token == null ? "none" : "set") + "}";
    }
}
