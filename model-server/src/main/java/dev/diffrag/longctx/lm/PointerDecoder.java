package dev.diffrag.longctx.lm;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import dev.diffrag.model.KvCache;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Answers a prompt's questions one after another with an {@link AnswerPointer} over the KV cache: the context is read
 * once (its hidden states kept as the pointer's keys), each question's last position points at the best span of at
 * most {@code maxAnswerTokens} context tokens (the highest start + end score with start ≤ end), and the copied span
 * and a [SEP] are fed before the next question, the layout the model was trained on with the true answers.
 */
public final class PointerDecoder implements NeedleAnswerer {

    private final AnswerPointer pointer;
    private final ParameterStore ps;
    private final int maxAnswerTokens;

    public PointerDecoder(AnswerPointer pointer, ParameterStore ps, int maxAnswerTokens) {
        if (maxAnswerTokens < 1) {
            throw new IllegalArgumentException("maxAnswerTokens must be positive");
        }
        this.pointer = pointer;
        this.ps = ps;
        this.maxAnswerTokens = maxAnswerTokens;
    }

    @Override
    public List<int[]> answer(NeedlePrompt prompt, NDManager manager) {
        List<int[]> answers = new ArrayList<>();
        try (NDManager scope = manager.newSubManager(); KvCache cache = pointer.model().newCache(scope)) {
            int[] pending = concat(prompt.contextIds(), prompt.questionIds(0));
            NDArray context = null; // (1, C, D)
            for (int q = 0; q < prompt.asked().size(); q++) {
                NDArray ids = scope.create(pending, new Shape(1, pending.length));        // (1, t)
                NDArray hidden = pointer.model().forwardStep(ps, ids, null, cache);        // (1, t, D)
                if (context == null) {
                    context = hidden.get(":, :" + prompt.contextLength() + ", :");
                }
                NDList scores = pointer.point(ps, hidden.get(":, -1:, :"), context);       // 2 × (1, 1, C)
                int[] span = bestSpan(scores.get(0).toFloatArray(), scores.get(1).toFloatArray(), maxAnswerTokens);
                int[] answer = Arrays.copyOfRange(prompt.ids(), span[0], span[1] + 1);
                answers.add(answer);
                if (q + 1 < prompt.asked().size()) {
                    pending = concat(concat(answer, new int[] {NeedlePrompt.STOP}), prompt.questionIds(q + 1));
                }
            }
        }
        return answers;
    }

    /** {start, end} (inclusive) maximising start[s] + end[e] over s ≤ e < s + maxTokens. */
    static int[] bestSpan(float[] start, float[] end, int maxTokens) {
        int bestStart = 0;
        int bestEnd = 0;
        double best = Double.NEGATIVE_INFINITY;
        for (int s = 0; s < start.length; s++) {
            for (int e = s; e < Math.min(end.length, s + maxTokens); e++) {
                double score = (double) start[s] + end[e];
                if (score > best) {
                    best = score;
                    bestStart = s;
                    bestEnd = e;
                }
            }
        }
        return new int[] {bestStart, bestEnd};
    }

    private static int[] concat(int[] a, int[] b) {
        int[] all = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }
}
