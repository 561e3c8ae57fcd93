package dev.diffrag.longctx.lm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import dev.diffrag.model.AttentionKind;
import dev.diffrag.model.DiffTransformer;
import dev.diffrag.model.train.Batch;
import dev.diffrag.model.train.TokenCrossEntropy;
import java.util.List;
import org.junit.jupiter.api.Test;

class AnswerLossTest {

    private static NeedlePrompt prompt(int contextLength, int[] answer, int seedToken) {
        int[] ids = new int[contextLength + 1 + 2 + answer.length];
        for (int i = 0; i < contextLength; i++) {
            ids[i] = (seedToken + 7 * i) % 100;
        }
        ids[contextLength] = NeedlePrompt.STOP;
        ids[contextLength + 1] = 40;
        ids[contextLength + 2] = 41;
        System.arraycopy(answer, 0, ids, contextLength + 3, answer.length);
        return new NeedlePrompt(ids, contextLength,
                List.of(new NeedlePrompt.Asked("x", "", contextLength + 1, contextLength + 2, answer, 0, 1, 0, 0, 1)));
    }

    @Test
    void collatePadsTheShorterPromptAndIgnoresItsMissingTargets() {
        try (NDManager manager = NDManager.newBaseManager()) {
            NeedlePrompt longer = prompt(10, new int[] {5, 6, 7, NeedlePrompt.STOP}, 1);
            NeedlePrompt shorter = prompt(4, new int[] {9, NeedlePrompt.STOP}, 2);
            Batch batch = RetrievalBatches.collate(List.of(longer, shorter), manager);
            assertThat(batch.inputs().get(0).getShape()).isEqualTo(new Shape(2, 17));
            assertThat(batch.inputs().get(1).toIntArray()).containsExactly(
                    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
                    1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0);
            assertThat(batch.inputs().get(2).toIntArray()).containsExactly(12, 13, 14, 15, 6, 7, 0, 0);
            assertThat(batch.labels().head().toLongArray()).containsExactly(
                    5, 6, 7, NeedlePrompt.STOP, 9, NeedlePrompt.STOP, TokenCrossEntropy.IGNORE, TokenCrossEntropy.IGNORE);
        }
    }

    @Test
    void lossIsTheMeanAnswerTokenCrossEntropyOfTheFullModel() {
        try (NDManager manager = NDManager.newBaseManager()) {
            DiffTransformer model = TinyModels.model(manager, AttentionKind.DIFF_V1, TinyModels.VOCAB, 4);
            ParameterStore ps = new ParameterStore(manager, false);
            NeedlePrompt longer = prompt(10, new int[] {5, 6, 7, NeedlePrompt.STOP}, 1);
            NeedlePrompt shorter = prompt(4, new int[] {9, NeedlePrompt.STOP}, 2);
            Batch batch = RetrievalBatches.collate(List.of(longer, shorter), manager);
            NDList logits = new AnswerLm(model).forward(ps, batch.inputs(), false);
            assertThat(logits.head().getShape()).isEqualTo(new Shape(2, 4, TinyModels.VOCAB));
            double loss = new TokenCrossEntropy().loss(logits, batch.labels()).getFloat();

            // By hand: each prompt alone, unpadded, full logits, −log p of the token after each answer position.
            double sum = 0;
            int count = 0;
            for (NeedlePrompt prompt : List.of(longer, shorter)) {
                int[] ids = prompt.ids();
                NDArray hidden = model.encode(ps, manager.create(ids, new Shape(1, ids.length)), null, false, null);
                NDArray logProbs = model.logits(ps, hidden, false).logSoftmax(-1); // (1, T, V)
                for (int[] target : prompt.answerTargets()) {
                    sum -= logProbs.getFloat(0, target[0], target[1]);
                    count++;
                }
            }
            assertThat(count).isEqualTo(6);
            assertThat(loss).isCloseTo(sum / count, offset(1e-4 * Math.abs(sum / count)));
        }
    }
}
