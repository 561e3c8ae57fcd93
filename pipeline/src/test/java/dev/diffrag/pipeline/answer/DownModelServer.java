package dev.diffrag.pipeline.answer;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A model server that is down: 503 to every request on its path, noting when each attempt arrived. The first request
 * hangs until the server closes, so the batch that sent it uses up its whole budget and the requests queued behind it
 * are sent only once their own budgets are about gone.
 */
public final class DownModelServer implements AutoCloseable {

    /**
     * Slack for an attempt sent just before a deadline and received after it on a loaded machine; before deadlines
     * were per request, a queued request's attempts went on for its whole budget after the first batch's.
     */
    private static final long SLACK_MS = 500;

    private final HttpServer server;
    private final List<Long> attempts = Collections.synchronizedList(new ArrayList<>()); // System.nanoTime()
    private final AtomicBoolean first = new AtomicBoolean(true);
    private final CountDownLatch closing = new CountDownLatch(1);

    public DownModelServer(String path) throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext(path, exchange -> {
            attempts.add(System.nanoTime());
            exchange.getRequestBody().readAllBytes();
            if (first.getAndSet(false)) {
                try {
                    closing.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            exchange.sendResponseHeaders(503, -1);
            exchange.close();
        });
        server.setExecutor(Executors.newFixedThreadPool(4));
        server.start();
    }

    /** A remote model's settings for this server: 5 s per attempt, up to 1,000 retries, 4 in flight. */
    public RemoteAnswererConfig remote() {
        return new RemoteAnswererConfig("http://127.0.0.1:" + server.getAddress().getPort(), 5_000, 1_000, 4, null);
    }

    public int attempts() {
        return attempts.size();
    }

    /** How long after {@code deadline} (a {@link System#nanoTime}) each attempt past it and the slack arrived, in ms. */
    public List<Long> lateAttemptsMs(long deadline) {
        synchronized (attempts) {
            return attempts.stream()
                    .filter(at -> at > deadline + TimeUnit.MILLISECONDS.toNanos(SLACK_MS))
                    .map(at -> TimeUnit.NANOSECONDS.toMillis(at - deadline))
                    .toList();
        }
    }

    @Override
    public void close() {
        closing.countDown();
        server.stop(0);
    }
}
