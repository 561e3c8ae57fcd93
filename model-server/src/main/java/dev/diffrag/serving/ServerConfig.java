package dev.diffrag.serving;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * Settings of the {@link ModelServer}, read from environment variables ({@link #fromEnv}); anything unset keeps its
 * default. Each variable is its key upper-cased with {@code .} and {@code -} turned into {@code _}
 * ({@code diffrag.server.max-batch-size} → {@code DIFFRAG_SERVER_MAX_BATCH_SIZE}), the convention of the whole project.
 * The device is not here: {@link dev.diffrag.model.Devices} reads {@code DIFFRAG_DEVICE} itself.
 *
 * @param port              HTTP port
 * @param answerer          answer model: {@code diff-reader} (the shipped Diff Transformer reader; the default) or
 *                          {@code baseline} (best sentence by MiniLM similarity)
 * @param abstainThreshold  confidence below which the baseline abstains, in [0, 1] (the reader abstains by the
 *                          threshold calibrated with its checkpoint)
 * @param summarizer        summarization model, or {@code none} to leave {@code /v1/summarize} unserved
 * @param maxBatchSize      most requests handed to a model in one call
 * @param maxBatchDelayMs   longest the oldest queued request waits for others to fill its batch, at most
 *                          {@link #MAX_BATCH_DELAY_LIMIT_MS}
 * @param queueCapacity     requests that may wait per model; beyond it the server answers 429
 * @param maxBodyBytes      largest request body; beyond it 413
 * @param maxQuestionChars  longest question; beyond it 400
 * @param maxContexts       most contexts per question; beyond it 400
 * @param maxContextChars   longest context; beyond it 400
 * @param maxDocuments      most documents per summarize request (and at most queueCapacity); beyond it 400
 * @param maxDocumentChars  longest document; beyond it 400
 * @param token             bearer token required on {@code /v1/*}; null serves without authentication
 * @param shutdownTimeoutMs how long a shutdown waits for requests in flight
 */
public record ServerConfig(
        int port,
        String answerer,
        double abstainThreshold,
        String summarizer,
        int maxBatchSize,
        long maxBatchDelayMs,
        int queueCapacity,
        long maxBodyBytes,
        int maxQuestionChars,
        int maxContexts,
        int maxContextChars,
        int maxDocuments,
        int maxDocumentChars,
        String token,
        long shutdownTimeoutMs) {

    public static final String PORT = "diffrag.server.port";
    public static final String ANSWERER = "diffrag.server.answerer";
    public static final String ABSTAIN_THRESHOLD = "diffrag.server.abstain-threshold";
    public static final String SUMMARIZER = "diffrag.server.summarizer";
    public static final String MAX_BATCH_SIZE = "diffrag.server.max-batch-size";
    public static final String MAX_BATCH_DELAY_MS = "diffrag.server.max-batch-delay-ms";
    public static final String QUEUE_CAPACITY = "diffrag.server.queue-capacity";
    public static final String MAX_BODY_BYTES = "diffrag.server.max-body-bytes";
    public static final String MAX_QUESTION_CHARS = "diffrag.server.max-question-chars";
    public static final String MAX_CONTEXTS = "diffrag.server.max-contexts";
    public static final String MAX_CONTEXT_CHARS = "diffrag.server.max-context-chars";
    public static final String MAX_DOCUMENTS = "diffrag.server.max-documents";
    public static final String MAX_DOCUMENT_CHARS = "diffrag.server.max-document-chars";
    public static final String TOKEN = "diffrag.server.token";
    public static final String SHUTDOWN_TIMEOUT_MS = "diffrag.server.shutdown-timeout-ms";

    /** Every key above, for documentation and for the test that checks docker-compose.yml against the code. */
    public static final List<String> KEYS = List.of(PORT, ANSWERER, ABSTAIN_THRESHOLD, SUMMARIZER, MAX_BATCH_SIZE,
            MAX_BATCH_DELAY_MS, QUEUE_CAPACITY, MAX_BODY_BYTES, MAX_QUESTION_CHARS, MAX_CONTEXTS, MAX_CONTEXT_CHARS,
            MAX_DOCUMENTS, MAX_DOCUMENT_CHARS, TOKEN, SHUTDOWN_TIMEOUT_MS);

    public static final String NO_SUMMARIZER = "none";
    /** A minute: a batch delay beyond it holds every lone request that long, which no setting means to do. */
    public static final long MAX_BATCH_DELAY_LIMIT_MS = 60_000;
    /** The most bytes one Java array holds, and so the largest body limit ({@code limit + 1} bytes are read). */
    public static final long MAX_BODY_BYTES_LIMIT = Integer.MAX_VALUE - 2;

    public ServerConfig {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException(PORT + " must be in [0, 65535], got " + port);
        }
        if (!(abstainThreshold >= 0 && abstainThreshold <= 1)) { // NaN too
            throw new IllegalArgumentException(ABSTAIN_THRESHOLD + " must be in [0, 1], got " + abstainThreshold);
        }
        requirePositive(MAX_BATCH_SIZE, maxBatchSize);
        requirePositive(QUEUE_CAPACITY, queueCapacity);
        requirePositive(MAX_BODY_BYTES, maxBodyBytes);
        requirePositive(MAX_QUESTION_CHARS, maxQuestionChars);
        requirePositive(MAX_CONTEXTS, maxContexts);
        requirePositive(MAX_CONTEXT_CHARS, maxContextChars);
        requirePositive(MAX_DOCUMENTS, maxDocuments);
        requirePositive(MAX_DOCUMENT_CHARS, maxDocumentChars);
        if (maxBodyBytes > MAX_BODY_BYTES_LIMIT) {
            throw new IllegalArgumentException(MAX_BODY_BYTES + " must be at most " + MAX_BODY_BYTES_LIMIT
                    + " (a body is read into one array), got " + maxBodyBytes);
        }
        if (maxBatchDelayMs < 0 || shutdownTimeoutMs < 0) {
            throw new IllegalArgumentException(MAX_BATCH_DELAY_MS + " and " + SHUTDOWN_TIMEOUT_MS + " must be >= 0");
        }
        if (maxBatchDelayMs > MAX_BATCH_DELAY_LIMIT_MS) {
            throw new IllegalArgumentException(MAX_BATCH_DELAY_MS + " must be at most " + MAX_BATCH_DELAY_LIMIT_MS
                    + " ms, got " + maxBatchDelayMs);
        }
        if (token != null && token.isBlank()) {
            token = null;
        }
    }

    /** Contexts: 100, the most passages the pipeline retrieves for a question ({@code topK}), so none is refused. */
    public static ServerConfig defaults() {
        return new ServerConfig(8080, "diff-reader", 0.3, NO_SUMMARIZER, 16, 10, 256, 1 << 20, 2_000, 100, 8_000, 16,
                100_000, null, 30_000);
    }

    /** This configuration on another port (0: any free port), as tests and the load test need. */
    public ServerConfig withPort(int newPort) {
        return new ServerConfig(newPort, answerer, abstainThreshold, summarizer, maxBatchSize, maxBatchDelayMs,
                queueCapacity, maxBodyBytes, maxQuestionChars, maxContexts, maxContextChars, maxDocuments,
                maxDocumentChars, token, shutdownTimeoutMs);
    }

    /** This configuration with other batching bounds. */
    public ServerConfig withBatching(int newMaxBatchSize, long newMaxBatchDelayMs, int newQueueCapacity) {
        return new ServerConfig(port, answerer, abstainThreshold, summarizer, newMaxBatchSize, newMaxBatchDelayMs,
                newQueueCapacity, maxBodyBytes, maxQuestionChars, maxContexts, maxContextChars, maxDocuments,
                maxDocumentChars, token, shutdownTimeoutMs);
    }

    /** This configuration requiring {@code newToken} as bearer token (null: no authentication). */
    public ServerConfig withToken(String newToken) {
        return new ServerConfig(port, answerer, abstainThreshold, summarizer, maxBatchSize, maxBatchDelayMs,
                queueCapacity, maxBodyBytes, maxQuestionChars, maxContexts, maxContextChars, maxDocuments,
                maxDocumentChars, newToken, shutdownTimeoutMs);
    }

    /** The environment variable of {@code key}: {@code diffrag.server.port} → {@code DIFFRAG_SERVER_PORT}. */
    public static String envName(String key) {
        return key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    public static ServerConfig fromEnv(Map<String, String> env) {
        Function<String, String> setting = key -> {
            String value = env.get(envName(key));
            return value == null || value.isBlank() ? null : value.trim();
        };
        ServerConfig d = defaults();
        try {
            return fromSettings(setting, d);
        } catch (IllegalArgumentException e) {
            // The checks of the record name its keys; a value read here came from a variable, so name that instead,
            // as the parse errors do.
            String message = e.getMessage();
            for (String key : KEYS) {
                message = message.replace(key, envName(key));
            }
            throw new IllegalArgumentException(message, e);
        }
    }

    private static ServerConfig fromSettings(Function<String, String> setting, ServerConfig d) {
        return new ServerConfig(
                integer(setting, PORT, d.port()),
                text(setting, ANSWERER, d.answerer()),
                number(setting, ABSTAIN_THRESHOLD, d.abstainThreshold()),
                text(setting, SUMMARIZER, d.summarizer()),
                integer(setting, MAX_BATCH_SIZE, d.maxBatchSize()),
                whole(setting, MAX_BATCH_DELAY_MS, d.maxBatchDelayMs()),
                integer(setting, QUEUE_CAPACITY, d.queueCapacity()),
                whole(setting, MAX_BODY_BYTES, d.maxBodyBytes()),
                integer(setting, MAX_QUESTION_CHARS, d.maxQuestionChars()),
                integer(setting, MAX_CONTEXTS, d.maxContexts()),
                integer(setting, MAX_CONTEXT_CHARS, d.maxContextChars()),
                integer(setting, MAX_DOCUMENTS, d.maxDocuments()),
                integer(setting, MAX_DOCUMENT_CHARS, d.maxDocumentChars()),
                text(setting, TOKEN, null),
                whole(setting, SHUTDOWN_TIMEOUT_MS, d.shutdownTimeoutMs()));
    }

    /** Never prints the token. */
    @Override
    public String toString() {
        return "ServerConfig{port=" + port + ", answerer=" + answerer + ", abstainThreshold=" + abstainThreshold
                + ", summarizer=" + summarizer + ", maxBatchSize=" + maxBatchSize + ", maxBatchDelayMs="
                + maxBatchDelayMs + ", queueCapacity=" + queueCapacity + ", maxBodyBytes=" + maxBodyBytes
                + ", maxQuestionChars=" + maxQuestionChars + ", maxContexts=" + maxContexts + ", maxContextChars="
                + maxContextChars + ", maxDocuments=" + maxDocuments + ", maxDocumentChars=" + maxDocumentChars
                + ", auth=" + (token == null ? "off" : "bearer") + ", shutdownTimeoutMs=" + shutdownTimeoutMs + "}";
    }

    private static String text(Function<String, String> setting, String key, String fallback) {
        String value = setting.apply(key);
        return value == null ? fallback : value;
    }

    private static int integer(Function<String, String> setting, String key, int fallback) {
        long value = whole(setting, key, fallback);
        if (value != (int) value) {
            throw new IllegalArgumentException(envName(key) + " must be a whole number below 2^31, got " + value);
        }
        return (int) value;
    }

    /**
     * Digits only: a cast from a parsed double would read 2.9 as 2, 0.5 as 0 and Infinity as {@link Long#MAX_VALUE}
     * without a word.
     */
    private static long whole(Function<String, String> setting, String key, long fallback) {
        return parsed(setting, key, fallback, Long::parseLong, "a whole number");
    }

    private static double number(Function<String, String> setting, String key, double fallback) {
        return parsed(setting, key, fallback, Double::parseDouble, "a number");
    }

    /** The setting read by {@code parser}, or {@code fallback} when it is unset; {@code kind} names what it must be. */
    private static <T> T parsed(Function<String, String> setting, String key, T fallback, Function<String, T> parser,
            String kind) {
        String value = setting.apply(key);
        if (value == null) {
            return fallback;
        }
        try {
            return parser.apply(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(envName(key) + " must be " + kind + ", got '" + value + "'");
        }
    }

    private static void requirePositive(String key, long value) {
        if (value < 1) {
            throw new IllegalArgumentException(key + " must be positive, got " + value);
        }
    }
}
