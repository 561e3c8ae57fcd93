package dev.diffrag.pipeline.bench;

import java.util.ConcurrentModificationException;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.LongStream;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.Metric;
import org.apache.flink.metrics.MetricConfig;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.reporter.MetricReporter;
import org.apache.flink.metrics.reporter.MetricReporterFactory;

/**
 * A Flink metric reporter that keeps every metric of the mini cluster in this JVM, so the benchmark can read the
 * job's own histograms (e.g. {@code freshnessLagMs}) of all subtasks. Enabled only where configured
 * ({@code metrics.reporter.capture.factory.class}).
 */
public final class CapturedMetrics implements MetricReporter {

    private static final Map<String, List<Metric>> BY_NAME = new ConcurrentHashMap<>();

    /** Found by Flink through {@code META-INF/services}. */
    public static final class Factory implements MetricReporterFactory {
        @Override
        public MetricReporter createMetricReporter(Properties properties) {
            return new CapturedMetrics();
        }
    }

    @Override
    public void open(MetricConfig config) {}

    @Override
    public void close() {}

    @Override
    public void notifyOfAddedMetric(Metric metric, String name, MetricGroup group) {
        BY_NAME.computeIfAbsent(name, n -> new CopyOnWriteArrayList<>()).add(metric);
    }

    @Override
    public void notifyOfRemovedMetric(Metric metric, String name, MetricGroup group) {
        List<Metric> metrics = BY_NAME.get(name);
        if (metrics != null) {
            metrics.remove(metric);
        }
    }

    /** The values kept by every histogram named {@code name}, all subtasks together. */
    public static long[] histogramValues(String name) {
        return BY_NAME.getOrDefault(name, List.of()).stream()
                .filter(Histogram.class::isInstance)
                .flatMapToLong(metric -> LongStream.of(((Histogram) metric).getStatistics().getValues()))
                .toArray();
    }

    /**
     * The sum of every numeric gauge named {@code name}, e.g. chunks over all index subtasks. A gauge is read from
     * this thread while its task may be changing what it reports (as every reporter does), so a read that fails on a
     * concurrent change is retried.
     */
    public static long gaugeSum(String name) {
        for (int attempt = 1; ; attempt++) {
            try {
                return BY_NAME.getOrDefault(name, List.of()).stream()
                        .filter(Gauge.class::isInstance)
                        .map(metric -> ((Gauge<?>) metric).getValue())
                        .filter(Number.class::isInstance)
                        .mapToLong(value -> ((Number) value).longValue())
                        .sum();
            } catch (ConcurrentModificationException e) {
                if (attempt == 10) {
                    throw e;
                }
            }
        }
    }
}
