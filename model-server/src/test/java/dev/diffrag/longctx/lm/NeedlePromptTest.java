package dev.diffrag.longctx.lm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.diffrag.longctx.KvRetrieval;
import dev.diffrag.longctx.NeedleExample;
import dev.diffrag.longctx.NeedleTask;
import dev.diffrag.reader.ReaderTokenizer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NeedlePromptTest {

    private static ReaderTokenizer tokenizer;
    private static NeedleTask task;

    @BeforeAll
    static void load(@TempDir Path dir) throws IOException {
        tokenizer = new ReaderTokenizer();
        task = NeedleTask.fromDirectory(TinyData.essays(dir), tokenizer);
    }

    @AfterAll
    static void close() {
        tokenizer.close();
    }

    @Test
    void laysOutContextSeparatorQuestionsAndAnswers() {
        NeedleExample example = task.generate(200, 4, 2, 5);
        NeedlePrompt prompt = NeedlePrompt.of(example, tokenizer);
        int[] context = tokenizer.tokenize(example.context()).ids();
        assertThat(prompt.contextLength()).isEqualTo(context.length);
        assertThat(Arrays.copyOf(prompt.ids(), context.length)).containsExactly(context);
        assertThat(prompt.ids()[context.length]).isEqualTo(NeedlePrompt.STOP);
        assertThat(prompt.asked()).hasSize(2);
        int at = context.length + 1;
        for (int q = 0; q < 2; q++) {
            NeedlePrompt.Asked asked = prompt.asked().get(q);
            NeedleExample.Question question = example.questions().get(q);
            assertThat(asked.label()).isEqualTo(question.city());
            assertThat(asked.questionStart()).isEqualTo(at);
            assertThat(tokenizer.decode(prompt.questionIds(q))).isEqualTo(question.text().toLowerCase());
            int[] answer = Arrays.copyOfRange(prompt.ids(), asked.firstAnswerPosition() + 1,
                    asked.firstAnswerPosition() + 1 + asked.answer().length);
            assertThat(answer).containsExactly(asked.answer());
            assertThat(answer[answer.length - 1]).isEqualTo(NeedlePrompt.STOP);
            assertThat(tokenizer.decode(Arrays.copyOf(answer, answer.length - 1)))
                    .isEqualTo(Integer.toString(question.expectedNumber()));
            // The evidence span is exactly the asked needle's sentence.
            assertThat(tokenizer.decode(Arrays.copyOfRange(prompt.ids(), asked.spanStart(), asked.spanEnd())))
                    .isEqualTo(("the magic number for " + question.city() + " is " + question.expectedNumber())
                            .toLowerCase() + ".");
            // The answer span is the needle's number inside it: what a pointer head is trained to point at.
            assertThat(asked.answerStart()).isGreaterThan(asked.spanStart());
            assertThat(asked.answerEnd()).isLessThan(asked.spanEnd());
            assertThat(tokenizer.decode(Arrays.copyOfRange(prompt.ids(), asked.answerStart(), asked.answerEnd())))
                    .isEqualTo(Integer.toString(question.expectedNumber()));
            at = asked.firstAnswerPosition() + 1 + asked.answer().length;
        }
        assertThat(at).isEqualTo(prompt.ids().length);
    }

    @Test
    void targetsAreTheAnswerTokensPredictedFromThePositionBefore() {
        NeedlePrompt prompt = NeedlePrompt.of(task.generate(150, 3, 3, 9), tokenizer);
        int[][] targets = prompt.answerTargets();
        int answerTokens = prompt.asked().stream().mapToInt(a -> a.answer().length).sum();
        assertThat(targets).hasNumberOfRows(answerTokens);
        for (int[] target : targets) {
            assertThat(prompt.ids()[target[0] + 1]).isEqualTo(target[1]);
            assertThat(target[0]).isGreaterThan(prompt.contextLength()); // never a context position
        }
        assertThat(targets[0][0]).isEqualTo(prompt.asked().get(0).firstAnswerPosition());
    }

    @Test
    void kvRecordsBecomeOneQuestionWithTheValueAsAnswer() {
        KvRetrieval.Example example = new KvRetrieval.Example(List.of(new KvRetrieval.Pair("ab12", "cd34"),
                new KvRetrieval.Pair("ef56", "gh78"), new KvRetrieval.Pair("ij90", "kl12")), "ef56", "gh78", 1);
        NeedlePrompt prompt = NeedlePrompt.of(example, tokenizer);
        NeedlePrompt.Asked asked = prompt.asked().get(0);
        assertThat(asked.depth()).isEqualTo(1);
        assertThat(tokenizer.decode(Arrays.copyOf(asked.answer(), asked.answer().length - 1))).isEqualTo("gh78");
        assertThat(tokenizer.decode(Arrays.copyOfRange(prompt.ids(), asked.spanStart(), asked.spanEnd())))
                .isEqualTo("gh78");
        assertThat(new int[] {asked.answerStart(), asked.answerEnd()})
                .containsExactly(asked.spanStart(), asked.spanEnd());
    }

    @Test
    void kvWindowKeepsTheGoldPairAndItsRelativePosition() {
        List<KvRetrieval.Pair> pairs = new java.util.ArrayList<>();
        for (int i = 0; i < 75; i++) {
            pairs.add(new KvRetrieval.Pair("k" + i, "v" + i));
        }
        for (int gold : new int[] {0, 37, 74, 10}) {
            KvRetrieval.Example window = KvWindow.shorten(
                    new KvRetrieval.Example(pairs, "k" + gold, "v" + gold, gold), 6);
            assertThat(window.records()).hasSize(6);
            assertThat(window.records().get(window.goldPosition())).isEqualTo(pairs.get(gold));
            assertThat(window.goldPosition()).isEqualTo(Math.round(gold * 5f / 74));
        }
    }
}
