package dev.diffrag.reader;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ByteBoundedLruTest {

    private static final long E = ByteBoundedLru.ENTRY_OVERHEAD_BYTES;

    /** Values weigh their length; keys weigh 2 bytes a char; each entry E more. */
    private static ByteBoundedLru<float[]> lru(long maxBytes) {
        return new ByteBoundedLru<>(maxBytes, v -> v.length);
    }

    @Test
    void theLeastRecentlyUsedEntriesGoUntilTheBytesFitAgain() {
        ByteBoundedLru<float[]> cache = lru(3 * E + 100);
        cache.put("a", new float[30]); // E + 32 bytes
        cache.put("b", new float[30]);
        cache.put("c", new float[30]); // 3E + 96 in all
        assertThat(cache.get("a")).isNotNull(); // a is now the most recent: b is the eldest
        cache.put("d", new float[40]); // 4E + 138: b goes (3E + 106), then c (2E + 74)
        assertThat(cache.containsKey("b")).isFalse();
        assertThat(cache.containsKey("c")).isFalse();
        assertThat(cache.containsKey("a")).isTrue();
        assertThat(cache.containsKey("d")).isTrue();
        assertThat(cache.bytes()).isEqualTo(2 * E + 32 + 42);
    }

    @Test
    void oneHeavyEntryWeighsAsMuchAsManyLightOnes() {
        // A count bound would keep all 1,000 of these long values; the byte bound keeps what fits.
        ByteBoundedLru<float[]> cache = lru(10_000);
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < 1_000; i++) {
            keys.add("k" + i);
            cache.put(keys.get(i), new float[1_000]);
        }
        assertThat(cache.bytes()).isLessThanOrEqualTo(10_000);
        assertThat(cache.size()).isEqualTo(9); // E + 8 + 1,000 bytes each
        assertThat(cache.containsKey(keys.get(999))).isTrue();
        assertThat(cache.containsKey(keys.get(0))).isFalse();
    }

    @Test
    void replacingAValueCountsOnlyTheNewOne() {
        ByteBoundedLru<float[]> cache = lru(1_000);
        cache.put("a", new float[300]);
        cache.put("a", new float[100]);
        assertThat(cache.bytes()).isEqualTo(E + 102);
        assertThat(cache.computeIfAbsent("a", k -> new float[7])).hasSize(100);
        assertThat(cache.computeIfAbsent("b", k -> new float[7])).hasSize(7);
        assertThat(cache.bytes()).isEqualTo(2 * E + 102 + 9);
    }

    @Test
    void anEntryHeavierThanTheBoundIsNotKept() {
        ByteBoundedLru<float[]> cache = lru(E + 50);
        cache.put("small", new float[10]);
        cache.put("huge", new float[100]);
        assertThat(cache.size()).isZero();
        assertThat(cache.bytes()).isZero();
        assertThatThrownBy(() -> lru(0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void tinyEntriesAreBoundedByWhatEachEntryCostsBesidesItsBytes() {
        // Empty values under short keys: counted by their chars alone, 120 of them would fit in 10 entries' overhead.
        ByteBoundedLru<float[]> cache = lru(10 * E);
        for (int i = 0; i < 1_000; i++) {
            cache.put("k" + i, new float[0]);
        }
        assertThat(cache.size()).isLessThan(10);
        assertThat(cache.bytes()).isLessThanOrEqualTo(10 * E);
    }
}
