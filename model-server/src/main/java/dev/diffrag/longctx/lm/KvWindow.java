package dev.diffrag.longctx.lm;

import dev.diffrag.longctx.KvRetrieval;

/**
 * Shortens a 75-pair kv-retrieval record to {@code pairs} consecutive pairs around the gold pair, keeping its
 * relative position: a gold pair at position p of n lands at round(p·(pairs − 1)/(n − 1)) of the window. The full
 * records are ~4.5K MiniLM tokens, more than the small models are trained or evaluated on.
 */
public final class KvWindow {

    private KvWindow() {}

    public static KvRetrieval.Example shorten(KvRetrieval.Example example, int pairs) {
        int n = example.records().size();
        if (pairs < 1 || pairs > n) {
            throw new IllegalArgumentException("pairs must be in 1.." + n + ", got " + pairs);
        }
        int gold = n == 1 ? 0 : Math.round(example.goldPosition() * (pairs - 1f) / (n - 1));
        int from = example.goldPosition() - gold;
        return new KvRetrieval.Example(example.records().subList(from, from + pairs), example.key(), example.value(),
                gold);
    }
}
