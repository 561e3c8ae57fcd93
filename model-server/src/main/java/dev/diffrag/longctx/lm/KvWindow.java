package dev.diffrag.longctx.lm;

import dev.diffrag.longctx.KvRetrieval;
import java.util.Collection;
import java.util.List;
import java.util.Random;

/**
 * Windows of consecutive pairs of a 75-pair kv-retrieval record. The full records are ~4.5K MiniLM tokens, more than
 * the small models are trained or evaluated on.
 */
public final class KvWindow {

    private KvWindow() {}

    /**
     * The evaluation window: {@code pairs} consecutive pairs around the record's own gold pair, keeping its relative
     * position: a gold pair at position p of n lands at round(p·(pairs − 1)/(n − 1)) of the window.
     */
    public static KvRetrieval.Example shorten(KvRetrieval.Example example, int pairs) {
        int n = checkedSize(example, pairs);
        int gold = n == 1 ? 0 : Math.round(example.goldPosition() * (pairs - 1f) / (n - 1));
        return of(example, example.goldPosition() - gold, pairs, gold);
    }

    /**
     * A training window: {@code pairs} consecutive pairs from a random place of the record, asking a random one of
     * their keys. Asking only the record's own key would let a model memorise one answer per training record
     * instead of learning to look the key up (docs/results/needle-pointer-kv: 30 of 30 training prompts right,
     * held-out records at chance).
     */
    public static KvRetrieval.Example sample(KvRetrieval.Example record, int pairs, Random random) {
        int n = checkedSize(record, pairs);
        return of(record, random.nextInt(n - pairs + 1), pairs, random.nextInt(pairs));
    }

    /** The window of {@code pairs} pairs starting at pair {@code from}, asking its pair {@code asked} (0-based). */
    public static KvRetrieval.Example of(KvRetrieval.Example record, int from, int pairs, int asked) {
        int n = checkedSize(record, pairs);
        if (from < 0 || from + pairs > n || asked < 0 || asked >= pairs) {
            throw new IllegalArgumentException("window " + from + "+" + pairs + " asking " + asked
                    + " does not fit " + n + " pairs");
        }
        KvRetrieval.Pair gold = record.records().get(from + asked);
        return new KvRetrieval.Example(record.records().subList(from, from + pairs), gold.key(), gold.value(), asked);
    }

    /**
     * Refuses window sizes that some record cannot hold, before any window is cut: cut record by record, they fail
     * (or, tiled, yield no window) only when their turn comes.
     */
    public static void requireFits(List<KvRetrieval.Example> records, Collection<Integer> sizes) {
        int fewest = records.stream().mapToInt(r -> r.records().size()).min().orElse(0);
        for (int pairs : sizes) {
            if (pairs < 1 || pairs > fewest) {
                throw new IllegalArgumentException("kv windows of " + pairs + " pairs do not fit records of "
                        + fewest + " pairs");
            }
        }
    }

    private static int checkedSize(KvRetrieval.Example record, int pairs) {
        int n = record.records().size();
        if (pairs < 1 || pairs > n) {
            throw new IllegalArgumentException("pairs must be in 1.." + n + ", got " + pairs);
        }
        return n;
    }
}
