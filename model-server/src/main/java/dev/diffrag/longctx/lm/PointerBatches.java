package dev.diffrag.longctx.lm;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.diffrag.model.train.Batch;
import dev.diffrag.model.train.BatchSource;
import dev.diffrag.model.train.TokenCrossEntropy;
import java.util.Arrays;
import java.util.List;

/**
 * The examples of {@link RetrievalBatches} (the same ones, step for step) laid out for {@link AnswerPointer}: inputs
 * [tokenIds (B, T), paddingMask (B, T), queries (B, A), contextMask (B, T)], labels [(B, 2A)]: each question's
 * answer start position, then each one's last answer position, {@link TokenCrossEntropy#IGNORE} in padding slots.
 */
public final class PointerBatches implements BatchSource {

    private final RetrievalBatches examples;

    public PointerBatches(RetrievalBatches examples) {
        this.examples = examples;
    }

    @Override
    public Batch batch(long step, NDManager manager) {
        return collate(examples.prompts(step), manager);
    }

    static Batch collate(List<NeedlePrompt> prompts, NDManager manager) {
        int batch = prompts.size();
        int length = prompts.stream().mapToInt(p -> p.ids().length).max().orElseThrow();
        int questions = prompts.stream().mapToInt(p -> p.asked().size()).max().orElseThrow();
        int[] ids = new int[batch * length];
        int[] mask = new int[batch * length];
        int[] context = new int[batch * length];
        int[] queries = new int[batch * questions];
        long[] labels = new long[batch * 2 * questions];
        Arrays.fill(labels, TokenCrossEntropy.IGNORE);
        for (int b = 0; b < batch; b++) {
            NeedlePrompt prompt = prompts.get(b);
            System.arraycopy(prompt.ids(), 0, ids, b * length, prompt.ids().length);
            Arrays.fill(mask, b * length, b * length + prompt.ids().length, 1);
            Arrays.fill(context, b * length, b * length + prompt.contextLength(), 1);
            for (int q = 0; q < prompt.asked().size(); q++) {
                NeedlePrompt.Asked asked = prompt.asked().get(q);
                queries[b * questions + q] = asked.firstAnswerPosition();
                labels[b * 2 * questions + q] = asked.answerStart();
                labels[b * 2 * questions + questions + q] = asked.answerEnd() - 1;
            }
        }
        NDList inputs = new NDList(
                manager.create(ids, new Shape(batch, length)),          // (B, T)
                manager.create(mask, new Shape(batch, length)),         // (B, T)
                manager.create(queries, new Shape(batch, questions)),   // (B, A)
                manager.create(context, new Shape(batch, length)));     // (B, T)
        NDList labelList = new NDList(manager.create(labels, new Shape(batch, 2 * questions))
                .toType(DataType.INT64, false));
        return new Batch(inputs, labelList);
    }
}
