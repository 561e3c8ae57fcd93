package dev.diffrag.longctx.lm;

import java.util.Arrays;

/**
 * How a retrieval model gives its answer: {@code lm} writes it token by token through the tied LM head
 * ({@link AnswerLm}, {@link GreedyDecoder}); {@code pointer} points at it in the context ({@link AnswerPointer},
 * {@link PointerDecoder}).
 */
enum RetrievalHead {
    LM,
    POINTER;

    /** The command-line name: {@code lm} or {@code pointer}. */
    String option() {
        return name().toLowerCase();
    }

    static RetrievalHead parse(String option) {
        return Arrays.stream(values()).filter(h -> h.option().equals(option)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown head " + option + "; expected lm or pointer"));
    }
}
