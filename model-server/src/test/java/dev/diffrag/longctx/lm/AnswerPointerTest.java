package dev.diffrag.longctx.lm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import dev.diffrag.longctx.NeedleTask;
import dev.diffrag.model.AttentionKind;
import dev.diffrag.model.DiffTransformer;
import dev.diffrag.model.FreedNativeMemory;
import dev.diffrag.model.io.ModelCheckpoint;
import dev.diffrag.model.io.SafeTensors;
import dev.diffrag.model.train.Batch;
import dev.diffrag.model.train.TokenCrossEntropy;
import dev.diffrag.model.train.TrainingConfig;
import dev.diffrag.model.train.ModelTrainer;
import dev.diffrag.model.train.StepStats;
import dev.diffrag.reader.ReaderTokenizer;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class AnswerPointerTest {

    @TempDir
    Path dir;

    /** context (24 tokens) [SEP] q₁ (3) a₁ [SEP] q₂ (4) a₂ [SEP], answers at context tokens 5..6 and 14..16. */
    private static NeedlePrompt prompt() {
        Random random = new Random(5);
        List<Integer> ids = new ArrayList<>();
        for (int i = 0; i < 24; i++) {
            ids.add(random.nextInt(100));
        }
        ids.add(NeedlePrompt.STOP);
        List<NeedlePrompt.Asked> asked = new ArrayList<>();
        int[][] spans = {{5, 7}, {14, 17}};
        for (int q = 0; q < 2; q++) {
            int start = ids.size();
            for (int i = 0; i < 3 + q; i++) {
                ids.add(random.nextInt(100));
            }
            int[] answer = new int[spans[q][1] - spans[q][0] + 1];
            for (int i = 0; i < answer.length - 1; i++) {
                answer[i] = ids.get(spans[q][0] + i);
            }
            answer[answer.length - 1] = NeedlePrompt.STOP;
            asked.add(new NeedlePrompt.Asked("q" + q, "", start, ids.size() - 1, answer, spans[q][0] - 1,
                    spans[q][1] + 1, 0, spans[q][0], spans[q][1]));
            for (int id : answer) {
                ids.add(id);
            }
        }
        return new NeedlePrompt(ids.stream().mapToInt(Integer::intValue).toArray(), 24, asked);
    }

    /** The same answering without a cache: the whole sequence so far is run again for every question. */
    private static List<int[]> reference(AnswerPointer pointer, ParameterStore ps, NDManager manager,
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
            int[] ids = sequence.stream().mapToInt(Integer::intValue).toArray();
            NDArray hidden = pointer.model().encode(ps, manager.create(ids, new Shape(1, ids.length)), null, false,
                    null);
            NDList scores = pointer.point(ps, hidden.get(":, -1:, :"), hidden.get(":, :24, :"));
            int[] span = PointerDecoder.bestSpan(scores.get(0).toFloatArray(), scores.get(1).toFloatArray(), maxTokens);
            int[] answer = Arrays.copyOfRange(ids, span[0], span[1] + 1);
            answers.add(answer);
            for (int id : answer) {
                sequence.add(id);
            }
            sequence.add(NeedlePrompt.STOP);
        }
        return answers;
    }

    @Test
    void cachedPointingMatchesFullRecomputationForEveryKind() {
        NeedlePrompt prompt = prompt();
        for (AttentionKind kind : AttentionKind.values()) {
            for (long seed = 1; seed <= 2; seed++) {
                try (NDManager manager = NDManager.newBaseManager()) {
                    AnswerPointer pointer = TinyModels.pointer(manager, kind, TinyModels.VOCAB, seed);
                    ParameterStore ps = new ParameterStore(manager, false);
                    List<int[]> answers = new PointerDecoder(pointer, ps, 4).answer(prompt, manager);
                    List<int[]> expected = reference(pointer, ps, manager, prompt, 4);
                    assertThat(answers).hasSize(2);
                    for (int q = 0; q < 2; q++) {
                        assertThat(answers.get(q)).as("%s seed %d question %d", kind, seed, q)
                                .containsExactly(expected.get(q));
                        assertThat(answers.get(q).length).isBetween(1, 4);
                    }
                }
            }
        }
    }

    @Test
    void bestSpanMaximisesStartPlusEndWithinTheLengthLimit() {
        float[] start = {0, 5, 0, 0, 1};
        float[] end = {8, 0, 0, 4, 3};
        // (1, 3) scores 9 but is 3 tokens long; within 2 tokens (0, 0) at 8 beats (1, 1), (3, 4) and (4, 4).
        assertThat(PointerDecoder.bestSpan(start, end, 3)).containsExactly(1, 3);
        assertThat(PointerDecoder.bestSpan(start, end, 2)).containsExactly(0, 0);
        assertThat(PointerDecoder.bestSpan(new float[] {0, 0, 7}, new float[] {0, 0, 1}, 1)).containsExactly(2, 2);
    }

    @Test
    void batchesTrainEveryQuestionsAnswerBoundariesAndOnlyContextCanBePointedAt(@TempDir Path data) throws Exception {
        try (ReaderTokenizer tokenizer = new ReaderTokenizer(); NDManager manager = NDManager.newBaseManager()) {
            NeedleTask task = NeedleTask.fromDirectory(TinyData.essays(data), tokenizer);
            NeedlePrompt two = NeedlePrompt.of(task.generate(120, 3, 2, 1), tokenizer);
            NeedlePrompt one = NeedlePrompt.of(task.generate(80, 1, 1, 2), tokenizer);
            Batch batch = PointerBatches.collate(List.of(two, one), manager);
            int length = two.ids().length;
            assertThat(batch.inputs().get(2).toIntArray()).containsExactly(two.asked().get(0).firstAnswerPosition(),
                    two.asked().get(1).firstAnswerPosition(), one.asked().get(0).firstAnswerPosition(), 0);
            long[] labels = batch.labels().head().toLongArray(); // (2, 4): starts then ends per row
            for (int q = 0; q < 2; q++) {
                NeedlePrompt.Asked asked = two.asked().get(q);
                int[] pointed = Arrays.copyOfRange(two.ids(), (int) labels[q], (int) labels[2 + q] + 1);
                assertThat(tokenizer.decode(pointed)).isEqualTo(asked.expected());
            }
            assertThat(labels[4]).isEqualTo(one.asked().get(0).answerStart());
            assertThat(labels[5]).isEqualTo(TokenCrossEntropy.IGNORE);
            assertThat(labels[6]).isEqualTo(one.asked().get(0).answerEnd() - 1);
            assertThat(labels[7]).isEqualTo(TokenCrossEntropy.IGNORE);
            int[] context = batch.inputs().get(3).toIntArray();
            for (int i = 0; i < length; i++) {
                assertThat(context[i]).as("position %d", i).isEqualTo(i < two.contextLength() ? 1 : 0);
            }

            // Positions outside the context get FORBIDDEN; inside, the scores are those the decoder uses.
            AnswerPointer pointer = TinyModels.pointer(manager, AttentionKind.DIFF_V1, ReaderTokenizer.VOCAB_SIZE, 3);
            ParameterStore ps = new ParameterStore(manager, false);
            NDArray logits = pointer.forward(ps, batch.inputs(), false).head(); // (2, 4, T)
            assertThat(logits.getShape()).isEqualTo(new Shape(2, 4, length));
            NDArray hidden = pointer.model().encode(ps, manager.create(two.ids(), new Shape(1, length)), null, false,
                    null);
            int query = two.asked().get(1).firstAnswerPosition();
            NDList scores = pointer.point(ps, hidden.get(":, " + query + ":" + (query + 1) + ", :"),
                    hidden.get(":, :" + two.contextLength() + ", :"));
            float[] end = scores.get(1).toFloatArray();
            float[] row = logits.get("0, 3, :").toFloatArray();
            for (int i = 0; i < length; i++) {
                if (i < two.contextLength()) {
                    assertThat(row[i]).isCloseTo(end[i], offset(1e-4f));
                } else {
                    assertThat(row[i]).isLessThan(AnswerPointer.FORBIDDEN / 2);
                }
            }
        }
    }

    @Test
    void aTinyPointerLearnsToPointAtTheNeedlesNumberInItsHaystack(@TempDir Path data) throws Exception {
        try (ReaderTokenizer tokenizer = new ReaderTokenizer(); NDManager manager = NDManager.newBaseManager()) {
            NeedleTask task = NeedleTask.fromDirectory(TinyData.essays(data), tokenizer);
            List<NeedlePrompt> prompts = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                prompts.add(NeedlePrompt.of(task.generate(60, 1, 1, 10 + i), tokenizer));
            }
            ModelTrainer.seed(7);
            AnswerPointer pointer = AnswerPointer.create(
                    dev.diffrag.model.ModelConfig.of(AttentionKind.DIFF_V1, 32, 2, 8, true,
                            ReaderTokenizer.VOCAB_SIZE, 128, false), manager);
            TrainingConfig training = TrainingConfig.of(3e-3, 5, 80, 1, 7);
            List<StepStats> history;
            try (ModelTrainer trainer = new ModelTrainer(pointer, pointer.namedParameters(), pointer.model().config(),
                    training, (step, m) -> PointerBatches.collate(prompts, m), new TokenCrossEntropy())) {
                history = trainer.train(null);
            }
            // One needle per prompt: the start and end cross-entropy over ~60 positions (ln 60 ≈ 4.1) falls near 0.
            // (Which of several needles is asked is the slow part, what the long training runs are for.)
            assertThat(history.get(0).loss()).isGreaterThan(3.0);
            assertThat(history.get(history.size() - 1).loss()).isLessThan(0.2);
            ParameterStore ps = new ParameterStore(manager, false);
            PointerDecoder decoder = new PointerDecoder(pointer, ps, 8);
            for (NeedlePrompt prompt : prompts) {
                List<int[]> answers = decoder.answer(prompt, manager);
                for (int q = 0; q < answers.size(); q++) {
                    assertThat(tokenizer.decode(answers.get(q))).isEqualTo(prompt.asked().get(q).expected());
                }
            }
        }
    }

    /**
     * Backward must not read memory freed after forward (see {@code FreedMemoryGradientTest} for the encoder): the
     * pointer's 1/√D scale once went through DJL's {@code div(Number)}, whose operand autograd kept without owning it,
     * and a rare garbage collection between forward and backward made a training run stop on a NaN gradient.
     */
    @ParameterizedTest
    @EnumSource(AttentionKind.class)
    void gradientsDoNotDependOnWhatHappensBetweenForwardAndBackward(AttentionKind kind) throws Exception {
        assertThat(pointerGradients(kind, true)).usingRecursiveComparison().isEqualTo(pointerGradients(kind, false));
    }

    private static Map<String, float[]> pointerGradients(AttentionKind kind, boolean churn) throws Exception {
        try (NDManager manager = NDManager.newBaseManager()) {
            AnswerPointer pointer = TinyModels.pointer(manager, kind, TinyModels.VOCAB, 13);
            pointer.namedParameters().values().forEach(p -> p.getArray().setRequiresGradient(true));
            List<ByteBuffer> poison = List.of();
            try (NDManager data = manager.newSubManager();
                    GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                Batch batch = PointerBatches.collate(List.of(prompt()), data);
                NDList scores = pointer.forward(new ParameterStore(manager, false), batch.inputs(), true);
                NDArray loss = new TokenCrossEntropy().loss(scores, batch.labels());
                if (churn) {
                    poison = FreedNativeMemory.poison();
                }
                collector.backward(loss);
            }
            Map<String, float[]> gradients = new LinkedHashMap<>();
            pointer.namedParameters().forEach((name, p) -> gradients.put(name, p.getArray().getGradient().toFloatArray()));
            assertThat(poison).allMatch(buffer -> buffer.capacity() > 0); // kept alive until after backward
            return gradients;
        }
    }

    @Test
    void saveAndLoadGiveTheSameScoresAndALanguageModelCheckpointIsRefused() throws Exception {
        NeedlePrompt prompt = prompt();
        try (NDManager manager = NDManager.newBaseManager()) {
            AnswerPointer pointer = TinyModels.pointer(manager, AttentionKind.DIFF_V2, TinyModels.VOCAB, 9);
            pointer.save(dir.resolve("pointer"), SafeTensors.Dtype.F32);
            AnswerPointer loaded = AnswerPointer.load(dir.resolve("pointer"), manager);
            ParameterStore ps = new ParameterStore(manager, false);
            assertThat(new PointerDecoder(loaded, ps, 4).answer(prompt, manager))
                    .usingRecursiveComparison().isEqualTo(new PointerDecoder(pointer, ps, 4).answer(prompt, manager));

            DiffTransformer lm = TinyModels.model(manager, AttentionKind.DIFF_V2, TinyModels.VOCAB, 9);
            ModelCheckpoint.save(dir.resolve("lm"), lm);
            assertThatThrownBy(() -> AnswerPointer.load(dir.resolve("lm"), manager))
                    .hasMessageContaining("pointer_start");
        }
    }

    @Test
    void aLongerMaxLengthLoadsTheSameWeightsAndReadsPastTheSavedLimit() throws Exception {
        try (NDManager manager = NDManager.newBaseManager()) {
            AnswerPointer pointer = TinyModels.pointer(manager, AttentionKind.DIFF_V1, TinyModels.VOCAB, 4);
            pointer.save(dir.resolve("pointer"), SafeTensors.Dtype.F32);
            int saved = pointer.model().config().maxLength();
            AnswerPointer longer = AnswerPointer.load(dir.resolve("pointer"),
                    pointer.model().config().withMaxLength(2 * saved), manager);
            ParameterStore ps = new ParameterStore(manager, false);
            NDArray ids = manager.randomInteger(0, TinyModels.VOCAB, new Shape(1, saved + 8),
                    ai.djl.ndarray.types.DataType.INT32);

            assertThatThrownBy(() -> pointer.model().encode(ps, ids, null, false, null))
                    .hasMessageContaining("exceeds maxLength " + saved);
            NDArray past = longer.model().encode(ps, ids, null, false, null);             // (1, saved + 8, D)
            NDArray within = pointer.model().encode(ps, ids.get(":, :" + saved), null, false, null);
            // causal: the first `saved` positions never see the extra tokens, so both models agree there
            assertThat(past.get(":, :" + saved + ", :").sub(within).abs().max().getFloat()).isLessThan(1e-5f);
        }
    }
}
