package dev.diffrag.longctx.lm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.diffrag.longctx.KvRetrieval;
import dev.diffrag.longctx.NeedleTask;
import dev.diffrag.reader.ReaderTokenizer;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RetrievalBatchesTest {

    @TempDir
    Path dir;

    @Test
    void neighbouringUpdatesDrawTheKvShareAndTheSameUpdateTheSameExamples() throws Exception {
        try (ReaderTokenizer tokenizer = new ReaderTokenizer()) {
            NeedleTask task = NeedleTask.fromDirectory(TinyData.essays(dir), tokenizer);
            List<KvRetrieval.Example> kv = KvRetrieval.read(TinyData.kv(dir, 20, 6));
            for (double share : new double[] {0.1, 0.5}) {
                for (long seed : new long[] {42, 43}) {
                    // one example per update (batchTokens 1), 64-token needle contexts
                    RetrievalBatches batches = new RetrievalBatches(task, kv, tokenizer,
                            new TrainingMix(List.of(64), List.of(1.0), 2, share, 2, 4, 1), seed);
                    int kvUpdates = 0;
                    for (int step = 0; step < 300; step++) {
                        kvUpdates += isKv(batches.prompts(step).get(0)) ? 1 : 0;
                    }
                    // binomial(300, share) lies within ±4.5 standard deviations; the unmixed seeds gave 0 or 300
                    double sd = Math.sqrt(300 * share * (1 - share));
                    assertThat((double) kvUpdates).as("share %s seed %s", share, seed)
                            .isBetween(300 * share - 4.5 * sd, 300 * share + 4.5 * sd);
                    assertThat(batches.prompts(17).get(0).ids()).containsExactly(batches.prompts(17).get(0).ids());
                }
            }
        }
    }

    @Test
    void kvUpdatesAskKeysBesidesEachRecordsOwn() throws Exception {
        try (ReaderTokenizer tokenizer = new ReaderTokenizer()) {
            NeedleTask task = NeedleTask.fromDirectory(TinyData.essays(dir), tokenizer);
            List<KvRetrieval.Example> kv = KvRetrieval.read(TinyData.kv(dir, 20, 6));
            RetrievalBatches batches = new RetrievalBatches(task, kv, tokenizer,
                    new TrainingMix(List.of(64), List.of(1.0), 2, 1.0, 2, 4, 1), 42);
            Set<String> asked = new HashSet<>();
            for (int step = 0; step < 200; step++) {
                asked.add(batches.prompts(step).get(0).asked().get(0).expected());
            }
            // TinyData's record r holds values v<r>y0..v<r>y5 and names v<r>y<r % 6> as its own
            Set<String> others = asked.stream().filter(v -> {
                int r = Integer.parseInt(v.substring(1, v.indexOf('y')));
                return Integer.parseInt(v.substring(v.indexOf('y') + 1)) != r % 6;
            }).collect(Collectors.toSet());
            assertThat(asked).hasSizeGreaterThan(60); // of 120 pairs; asking only own keys gives at most 20
            assertThat(others).hasSizeGreaterThan(asked.size() / 2);
        }
    }

    private static boolean isKv(NeedlePrompt prompt) {
        return prompt.asked().get(0).expected().startsWith("v"); // TinyData's values; needle answers are numbers
    }
}
