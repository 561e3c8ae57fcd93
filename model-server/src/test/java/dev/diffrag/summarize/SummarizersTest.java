package dev.diffrag.summarize;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SummarizersTest {

    @ParameterizedTest
    @ValueSource(strings = {"diff-v1", "vanilla", "lead-1", "lead-3", "lead-12"})
    void knowsTheShippedModelsAndLeadWithANumber(String name) {
        assertThatCode(() -> Summarizers.requireKnown(name)).doesNotThrowAnyException();
    }

    @ParameterizedTest
    @ValueSource(strings = {"lead-k", "lead-0", "lead-", "lead3", "pegasus", "remote", "", "lead-99999999999"})
    void refusesOtherNamesWithTheAcceptedOnes(String name) {
        assertThatThrownBy(() -> Summarizers.requireKnown(name))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unknown summarizer '" + name + "'")
                .hasMessageContaining("lead-N with N >= 1 (e.g. lead-3)");
    }

    @ParameterizedTest
    @ValueSource(strings = {"lead-3", "diff-v1"})
    void aNegativeTokenBudgetIsRefusedWhenTheSummarizerIsMadeNotOnEverySummary(String name) {
        // diff-v1 took -1 and then failed every batch it was given ('need maxSentences >= 1 and maxTokens >= 0')
        assertThatThrownBy(() -> Summarizers.named(name, -1).close())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxTokens >= 0");
    }
}
