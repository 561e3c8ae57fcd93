package dev.diffrag.longctx.lm;

import java.util.List;

/**
 * What the retrieval models are trained on, step by step: a share of kv-retrieval steps (shortened records), the rest
 * needle steps whose context length is drawn from {@code lengths} with {@code lengthWeights}, with 1..maxNeedles
 * needles per example, all of them asked. Each step holds about {@code batchTokens} tokens.
 * Short contexts draw fewer needles: at most one per 24 tokens.
 */
public record TrainingMix(List<Integer> lengths, List<Double> lengthWeights, int maxNeedles, double kvShare,
                          int minKvPairs, int maxKvPairs, int batchTokens) {

    public TrainingMix {
        lengths = List.copyOf(lengths);
        lengthWeights = List.copyOf(lengthWeights);
        if (lengths.isEmpty() || lengths.size() != lengthWeights.size()) {
            throw new IllegalArgumentException("need one weight per length");
        }
        if (maxNeedles < 1 || kvShare < 0 || kvShare > 1 || minKvPairs < 1 || maxKvPairs < minKvPairs
                || batchTokens < 1) {
            throw new IllegalArgumentException("bad training mix: maxNeedles " + maxNeedles + ", kvShare " + kvShare
                    + ", kv pairs " + minKvPairs + ".." + maxKvPairs + ", batchTokens " + batchTokens);
        }
    }

}
