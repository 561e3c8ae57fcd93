package dev.diffrag.reader;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;
import java.util.function.ToLongFunction;

/**
 * A least-recently-used map bounded by the bytes of its entries rather than their number: cached token features
 * range from a few kilobytes (a question) to megabytes (a long passage), so a count bound is no memory bound. Strict
 * LRU on purpose: the featurizer computes a batch's features, then reads them, and the newest entries must be the last
 * to go (a frequency-based admission policy, such as Caffeine's, may drop an entry the moment it is written). Not
 * thread-safe; the featurizer synchronises.
 */
final class ByteBoundedLru<V> {

    /**
     * What an entry weighs besides its key's chars and its value: the map entry, the key's String and array objects.
     * Counted because a cache of short questions would otherwise hold more than twice its bound (3-token entries: 2.35
     * times, an audit measured).
     */
    static final long ENTRY_OVERHEAD_BYTES = 96;

    private final long maxBytes;
    private final ToLongFunction<V> valueBytes;
    private final LinkedHashMap<String, V> entries = new LinkedHashMap<>(16, 0.75f, true);
    private long bytes;

    /**
     * @param maxBytes   the most the entries may weigh together: keys (2 bytes a char), values and
     *                   {@link #ENTRY_OVERHEAD_BYTES} each
     * @param valueBytes what a value weighs in memory, its object headers included
     */
    ByteBoundedLru(long maxBytes, ToLongFunction<V> valueBytes) {
        if (maxBytes <= 0) {
            throw new IllegalArgumentException("maxBytes must be positive, got " + maxBytes);
        }
        this.maxBytes = maxBytes;
        this.valueBytes = valueBytes;
    }

    /** The value of {@code key}, now the most recently used; null when absent. */
    V get(String key) {
        return entries.get(key);
    }

    boolean containsKey(String key) {
        return entries.containsKey(key);
    }

    /** Stores the value, then drops the least recently used entries until the bound holds again. */
    void put(String key, V value) {
        V old = entries.put(key, value);
        if (old != null) {
            bytes -= weight(key, old);
        }
        bytes += weight(key, value);
        Iterator<Map.Entry<String, V>> eldest = entries.entrySet().iterator();
        while (bytes > maxBytes && eldest.hasNext()) {
            Map.Entry<String, V> entry = eldest.next();
            bytes -= weight(entry.getKey(), entry.getValue());
            eldest.remove();
        }
    }

    /** The value of {@code key}, computed and stored when absent. */
    V computeIfAbsent(String key, Function<String, V> compute) {
        V value = entries.get(key);
        if (value == null) {
            value = compute.apply(key);
            put(key, value);
        }
        return value;
    }

    int size() {
        return entries.size();
    }

    long bytes() {
        return bytes;
    }

    private long weight(String key, V value) {
        return ENTRY_OVERHEAD_BYTES + 2L * key.length() + valueBytes.applyAsLong(value);
    }
}
