package dev.diffrag.longctx.lm;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import dev.diffrag.model.DiffTransformer;
import dev.diffrag.model.KvCache;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Answers a prompt's questions one after another with greedy decoding over the KV cache: the context is read once,
 * then each question is fed after the model's own previous answer (its [SEP] included, or added when the answer hit
 * the token limit), exactly the layout the model was trained on with the true answers.
 */
public final class GreedyDecoder implements NeedleAnswerer {

    private final DiffTransformer model;
    private final ParameterStore ps;
    private final int maxAnswerTokens;

    /** @param model a causal model without LM head (its tied head is applied at the last position only) */
    public GreedyDecoder(DiffTransformer model, ParameterStore ps, int maxAnswerTokens) {
        if (maxAnswerTokens < 1) {
            throw new IllegalArgumentException("maxAnswerTokens must be positive, got " + maxAnswerTokens);
        }
        this.model = model;
        this.ps = ps;
        this.maxAnswerTokens = maxAnswerTokens;
    }

    @Override
    public List<int[]> answer(NeedlePrompt prompt, NDManager manager) {
        List<int[]> answers = new ArrayList<>();
        try (KvCache cache = model.newCache(manager)) {
            int[] pending = prompt.contextIds();
            for (int q = 0; q < prompt.asked().size(); q++) {
                pending = concat(pending, prompt.questionIds(q));
                List<Integer> answer = new ArrayList<>();
                while (true) {
                    int next = step(pending, cache, manager);
                    if (next == NeedlePrompt.STOP) {
                        pending = new int[] {NeedlePrompt.STOP};
                        break;
                    }
                    answer.add(next);
                    if (answer.size() == maxAnswerTokens) {
                        pending = new int[] {next, NeedlePrompt.STOP};
                        break;
                    }
                    pending = new int[] {next};
                }
                answers.add(answer.stream().mapToInt(Integer::intValue).toArray());
            }
        }
        return answers;
    }

    /** Feeds {@code tokens} and returns the most likely next token. */
    private int step(int[] tokens, KvCache cache, NDManager manager) {
        try (NDManager scratch = manager.newSubManager()) {
            NDArray ids = scratch.create(tokens, new Shape(1, tokens.length));            // (1, t)
            NDArray hidden = model.forwardStep(ps, ids, null, cache);                     // (1, t, D)
            NDArray last = hidden.get(":, -1:, :");                                       // (1, 1, D)
            return (int) model.logits(ps, last, false).argMax(-1).toLongArray()[0];      // (1, 1, V) → id
        }
    }

    private static int[] concat(int[] a, int[] b) {
        int[] all = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }
}
