package dev.diffrag.pipeline.faults;

import dev.diffrag.connectors.records.QuestionRecord;
import dev.diffrag.pipeline.local.RagClient;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.stream.IntStream;

/**
 * Sends numbered questions at a steady rate from its own thread while the caller injects faults, and notes when each
 * was sent and when its first answer arrived.
 */
final class QuestionStream {

    private final RagClient client;
    private final BeaconCorpus corpus;
    private final String idPrefix;
    private final int count;
    private final long intervalNanos;
    private final List<CompletableFuture<?>> answered;
    private final AtomicLongArray sentAt;
    private final AtomicLongArray answeredAt;
    private final Thread sender;
    private volatile int sent;
    private volatile RuntimeException failure;

    private QuestionStream(RagClient client, BeaconCorpus corpus, String idPrefix, int count, double perSecond) {
        this.client = client;
        this.corpus = corpus;
        this.idPrefix = idPrefix;
        this.count = count;
        this.intervalNanos = (long) (1e9 / perSecond);
        this.answered = new CopyOnWriteArrayList<>();
        this.sentAt = new AtomicLongArray(count);
        this.answeredAt = new AtomicLongArray(count);
        this.sender = new Thread(this::send, "question-stream");
        this.sender.setDaemon(true);
    }

    /** Starts sending {@code count} questions, spread over the corpus's tenants, {@code perSecond} a second. */
    static QuestionStream start(RagClient client, BeaconCorpus corpus, String idPrefix, int count, double perSecond) {
        QuestionStream stream = new QuestionStream(client, corpus, idPrefix, count, perSecond);
        stream.sender.start();
        return stream;
    }

    private void send() {
        try {
            long next = System.nanoTime();
            for (int n = 0; n < count; n++) {
                long wait = next - System.nanoTime();
                if (wait > 0) {
                    Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                }
                next += intervalNanos;
                String tenant = tenant(n);
                int index = n;
                sentAt.set(n, System.nanoTime());
                answered.add(client.ask(new QuestionRecord(tenant, id(n), corpus.question(n), null,
                                System.currentTimeMillis()))
                        .thenRun(() -> answeredAt.set(index, System.nanoTime())));
                sent = n + 1;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            failure = e;
        }
    }

    /** The id of the n-th question. */
    String id(int n) {
        return idPrefix + "-" + n;
    }

    private String tenant(int n) {
        return corpus.tenants().get(n % corpus.tenants().size());
    }

    /** The keys ({@code tenant/id}) of all questions, as their answers are keyed. */
    List<String> keys() {
        return IntStream.range(0, count).mapToObj(n -> tenant(n) + "/" + id(n)).toList();
    }

    /** Waits until {@code n} questions were sent. */
    void awaitSent(int n) throws InterruptedException {
        while (sent < n) {
            failIfSenderFailed();
            Thread.sleep(10);
        }
    }

    /** Waits until every question has an answer or the timeout passes; returns how many have one. */
    int awaitAnswers(Duration timeout) throws InterruptedException {
        awaitSent(count);
        long deadline = System.nanoTime() + timeout.toNanos();
        while (answeredCount() < count && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        return answeredCount();
    }

    private int answeredCount() {
        return (int) answered.stream().filter(CompletableFuture::isDone).count();
    }

    /**
     * Seconds from {@code faultAtNanos} until the first answer to a question sent after it arrived: how long the
     * system took to answer again. NaN when no such question was answered.
     */
    double secondsToFirstAnswerAfter(long faultAtNanos) {
        long first = Long.MAX_VALUE;
        for (int n = 0; n < count; n++) {
            long answer = answeredAt.get(n);
            if (sentAt.get(n) >= faultAtNanos && answer != 0) {
                first = Math.min(first, answer);
            }
        }
        return first == Long.MAX_VALUE ? Double.NaN : (first - faultAtNanos) / 1e9;
    }

    /** The median seconds from sending to the first answer of the answered questions numbered {@code from..to-1}. */
    double medianLatencySeconds(int from, int to) {
        double[] latencies = IntStream.range(from, to)
                .filter(n -> answeredAt.get(n) != 0)
                .mapToDouble(n -> (answeredAt.get(n) - sentAt.get(n)) / 1e9)
                .sorted()
                .toArray();
        return latencies.length == 0 ? Double.NaN : latencies[latencies.length / 2];
    }

    private void failIfSenderFailed() {
        if (failure != null) {
            throw new IllegalStateException("sending questions failed: " + failure.getMessage(), failure);
        }
    }
}
