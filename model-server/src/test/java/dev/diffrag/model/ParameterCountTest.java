package dev.diffrag.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.EnumMap;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ParameterCountTest {

    @ParameterizedTest(name = "dModel={0} layers={1} headDim={2} vocab={3}")
    @CsvSource({"64, 2, 16, 100", "256, 4, 32, 1000", "512, 6, 64, 32000", "768, 12, 64, 32000", "2048, 24, 128, 100"})
    void v1V2AndVanillaHaveTheSameBudgetWithinTwoPercent(int dModel, int layers, int headDim, int vocab) {
        Map<AttentionKind, Long> counts = new EnumMap<>(AttentionKind.class);
        for (AttentionKind kind : AttentionKind.values()) {
            ModelConfig config = ModelConfig.causalLm(kind, dModel, layers, headDim, vocab, 128);
            counts.put(kind, new DiffTransformer(config).parameterCount());
        }
        long vanilla = counts.get(AttentionKind.VANILLA);
        System.out.printf("dModel=%d layers=%d headDim=%d vocab=%d: %s%n", dModel, layers, headDim, vocab,
                describe(counts, vanilla));
        for (AttentionKind kind : AttentionKind.values()) {
            assertThat(Math.abs(counts.get(kind) - vanilla) / (double) vanilla).as("%s", kind).isLessThan(0.02);
        }
        // Without the embedding, the per-layer budget must still match (the embedding would hide a mismatch).
        long embedding = (long) vocab * dModel;
        for (AttentionKind kind : AttentionKind.values()) {
            assertThat(Math.abs(counts.get(kind) - vanilla) / (double) (vanilla - embedding)).as("%s without embedding", kind)
                    .isLessThan(0.02);
        }
    }

    private static String describe(Map<AttentionKind, Long> counts, long vanilla) {
        StringBuilder text = new StringBuilder();
        counts.forEach((kind, count) -> text.append(String.format("%s=%,d (%.4f×) ", kind, count,
                count / (double) vanilla)));
        return text.toString().trim();
    }
}
