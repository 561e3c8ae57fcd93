package dev.diffrag.serving;

import ai.djl.Device;
import ai.djl.util.cuda.CudaUtils;
import io.prometheus.metrics.config.EscapingScheme;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.core.metrics.Info;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.MemoryUsage;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.function.IntSupplier;

/**
 * The server's Prometheus metrics, in a registry of its own (so several servers in one JVM, as in tests, do not
 * collide). Names follow Prometheus conventions: seconds for durations, {@code _total} for counters.
 */
public final class ServerMetrics {

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();

    private final Counter requests = Counter.builder()
            .name("diffrag_http_requests_total")
            .help("HTTP requests by route and status code")
            .labelNames("route", "status")
            .register(registry);
    private final Histogram latency = Histogram.builder()
            .name("diffrag_http_request_duration_seconds")
            .help("Time from request received to response written, by route")
            .labelNames("route")
            .classicOnly()
            .classicUpperBounds(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)
            .register(registry);
    private final Histogram batchSize = Histogram.builder()
            .name("diffrag_batch_size")
            .help("Requests per model call, by model role (answer, summarize)")
            .labelNames("role")
            .classicOnly()
            .classicUpperBounds(1, 2, 4, 8, 16, 32, 64, 128)
            .register(registry);
    private final Histogram batchDuration = Histogram.builder()
            .name("diffrag_batch_duration_seconds")
            .help("Time of one model call on a batch, by model role")
            .labelNames("role")
            .classicOnly()
            .classicUpperBounds(0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)
            .register(registry);
    private final Counter batchFailures = Counter.builder()
            .name("diffrag_batch_failures_total")
            .help("Model calls on a batch that threw, by model role (also counted in diffrag_batch_size)")
            .labelNames("role")
            .register(registry);

    private final Map<String, IntSupplier> queues = new ConcurrentSkipListMap<>();

    /** {@code device} is exported as a label of {@code diffrag_device_info}; GPU memory is read at scrape time. */
    public ServerMetrics(Device device, String answererName, String summarizerName) {
        Info.builder()
                .name("diffrag_device_info")
                .help("Where the models run, and which models are served")
                .labelNames("device", "answerer", "summarizer")
                .register(registry)
                .setLabelValues(device.toString(), answererName, summarizerName);
        GaugeWithCallback.builder()
                .name("diffrag_queue_depth")
                .help("Requests waiting for a batch, by model role")
                .labelNames("role")
                .callback(callback -> queues.forEach((role, depth) -> callback.call(depth.getAsInt(), role)))
                .register(registry);
        if (device.isGpu()) {
            GaugeWithCallback.builder()
                    .name("diffrag_gpu_memory_bytes")
                    .help("GPU memory of the model device: used and total")
                    .labelNames("kind")
                    .callback(callback -> {
                        MemoryUsage usage = CudaUtils.getGpuMemory(device);
                        callback.call(usage.getUsed(), "used");
                        callback.call(usage.getMax(), "total");
                    })
                    .register(registry);
        }
    }

    /** Exports the number of requests waiting in {@code role}'s batch queue, read at scrape time. */
    public void queueDepth(String role, IntSupplier depth) {
        queues.put(role, depth);
    }

    public void request(String route, int status, double seconds) {
        requests.labelValues(route, Integer.toString(status)).inc();
        latency.labelValues(route).observe(seconds);
    }

    public void batch(String role, int size, double seconds) {
        batchSize.labelValues(role).observe(size);
        batchDuration.labelValues(role).observe(seconds);
    }

    public void batchFailed(String role) {
        batchFailures.labelValues(role).inc();
    }

    public String contentType() {
        return writer.getContentType();
    }

    /** The current values in Prometheus text format 0.0.4. */
    public byte[] scrape() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            writer.write(out, registry.scrape(), EscapingScheme.DEFAULT);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a byte array stream does not fail
        }
        return out.toByteArray();
    }
}
