package dev.diffrag.longctx.lm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import dev.diffrag.model.AttentionKind;
import dev.diffrag.model.DiffTransformer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class GreedyDecoderTest {

    /** context (20 tokens) [SEP] q₁ (3) a₁ [SEP] q₂ (4) a₂ [SEP]; the answers' values do not matter to decoding. */
    private static NeedlePrompt prompt() {
        Random random = new Random(3);
        List<Integer> ids = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            ids.add(random.nextInt(100));
        }
        ids.add(NeedlePrompt.STOP);
        List<NeedlePrompt.Asked> asked = new ArrayList<>();
        for (int q = 0; q < 2; q++) {
            int start = ids.size();
            for (int i = 0; i < 3 + q; i++) {
                ids.add(random.nextInt(100));
            }
            int[] answer = {7, 8, NeedlePrompt.STOP};
            asked.add(new NeedlePrompt.Asked("q" + q, "78", start, ids.size() - 1, answer, 2, 4, 0, 2, 4));
            for (int id : answer) {
                ids.add(id);
            }
        }
        return new NeedlePrompt(ids.stream().mapToInt(Integer::intValue).toArray(), 20, asked);
    }

    /** The same decoding without a cache: the whole sequence is run again for every new token. */
    private static List<int[]> reference(DiffTransformer model, ParameterStore ps, NDManager manager,
                                         NeedlePrompt prompt, int maxTokens) {
        List<Integer> sequence = new ArrayList<>();
        for (int id : prompt.contextIds()) {
            sequence.add(id);
        }
        List<int[]> answers = new ArrayList<>();
        for (int q = 0; q < prompt.asked().size(); q++) {
            for (int id : prompt.questionIds(q)) {
                sequence.add(id);
            }
            List<Integer> answer = new ArrayList<>();
            while (true) {
                int[] ids = sequence.stream().mapToInt(Integer::intValue).toArray();
                NDArray hidden = model.encode(ps, manager.create(ids, new Shape(1, ids.length)), null, false, null);
                int next = (int) model.logits(ps, hidden.get(":, -1:, :"), false).argMax(-1).toLongArray()[0];
                sequence.add(next);
                if (next == NeedlePrompt.STOP) {
                    break;
                }
                answer.add(next);
                if (answer.size() == maxTokens) {
                    sequence.add(NeedlePrompt.STOP);
                    break;
                }
            }
            answers.add(answer.stream().mapToInt(Integer::intValue).toArray());
        }
        return answers;
    }

    @Test
    void cachedDecodingMatchesFullRecomputationForEveryKind() {
        NeedlePrompt prompt = prompt();
        for (AttentionKind kind : AttentionKind.values()) {
            for (long seed = 1; seed <= 2; seed++) {
                try (NDManager manager = NDManager.newBaseManager()) {
                    DiffTransformer model = TinyModels.model(manager, kind, TinyModels.VOCAB, seed);
                    ParameterStore ps = new ParameterStore(manager, false);
                    List<int[]> decoded = new GreedyDecoder(model, ps, 5).answer(prompt, manager);
                    List<int[]> expected = reference(model, ps, manager, prompt, 5);
                    assertThat(decoded).hasSize(2);
                    for (int q = 0; q < 2; q++) {
                        assertThat(decoded.get(q)).as("%s seed %d question %d", kind, seed, q)
                                .containsExactly(expected.get(q)).doesNotContain(NeedlePrompt.STOP);
                        assertThat(decoded.get(q).length).isLessThanOrEqualTo(5);
                    }
                }
            }
        }
    }

    @Test
    void anAnswerLimitBelowOneIsRefused() {
        // 0 used to mean no limit: a model that never writes [SEP] decoded until the cache passed maxLength
        try (NDManager manager = NDManager.newBaseManager()) {
            DiffTransformer model = TinyModels.model(manager, AttentionKind.VANILLA, TinyModels.VOCAB, 1);
            ParameterStore ps = new ParameterStore(manager, false);
            assertThatThrownBy(() -> new GreedyDecoder(model, ps, 0))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxAnswerTokens");
        }
    }
}
