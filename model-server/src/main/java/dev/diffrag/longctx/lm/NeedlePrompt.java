package dev.diffrag.longctx.lm;

import dev.diffrag.longctx.KvRetrieval;
import dev.diffrag.longctx.NeedleExample;
import dev.diffrag.reader.ReaderTokenizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The token layout the retrieval language models read and write (MiniLM WordPiece ids, no [CLS]):
 *
 * <pre>
 * context … [SEP] question₁ answer₁ [SEP] question₂ answer₂ [SEP] …
 * </pre>
 *
 * For the needle task a question is "What is the magic number for &lt;city&gt;?" and an answer the number's tokens;
 * for kv-retrieval the question is "Key: "&lt;key&gt;"\nCorresponding value:" and the answer the value's tokens. The
 * model is trained on the answer tokens and their closing [SEP] only (the context is not predicted), and at evaluation
 * it decodes each answer greedily after its question. Position {@link Asked#firstAnswerPosition()} is the question's
 * last token, whose output predicts the first answer token: that is where attention statistics are read.
 *
 * @param ids all tokens, answers included
 * @param contextLength tokens of the context; the [SEP] after it is at this position
 * @param asked the questions in the order they appear
 */
public record NeedlePrompt(int[] ids, int contextLength, List<Asked> asked) {

    public static final int STOP = ReaderTokenizer.SEP;

    /**
     * One asked item.
     *
     * @param label the city (needles) or key (kv-retrieval) asked about
     * @param expected the answer text: the needle's number or the key's value
     * @param questionStart position of the question's first token
     * @param firstAnswerPosition position of the question's last token, which predicts the first answer token
     * @param answer the answer tokens followed by {@link #STOP}; they sit at firstAnswerPosition + 1 ..
     * @param spanStart first context token of the evidence: the asked needle's sentence, or the gold value
     * @param spanEnd one past its last token
     * @param depth where the evidence lies: the needle's depth in percent, or the gold pair's 0-based position
     * @param answerStart first context token of the expected answer where the context states it (the needle's
     *                    number, the gold value): what a pointer head points at
     * @param answerEnd one past its last token
     */
    public record Asked(String label, String expected, int questionStart, int firstAnswerPosition, int[] answer,
                        int spanStart, int spanEnd, int depth, int answerStart, int answerEnd) {}

    /**
     * A question about the context: its text, answer, evidence characters {@code [start, end)} and the answer's
     * characters {@code [answerStart, answerEnd)} inside the evidence.
     */
    record Question(String label, String text, String expected, int start, int end, int depth, int answerStart,
                    int answerEnd) {}

    /** Lays out {@code example} with all its questions answered (training, and the reference for evaluation). */
    public static NeedlePrompt of(NeedleExample example, ReaderTokenizer tokenizer) {
        List<Question> questions = new ArrayList<>();
        for (NeedleExample.Question question : example.questions()) {
            NeedleExample.Needle needle = example.needles().stream()
                    .filter(n -> n.city().equals(question.city())).findFirst().orElseThrow();
            String number = Integer.toString(question.expectedNumber());
            int numberStart = needle.start() + needle.sentence().lastIndexOf(number);
            questions.add(new Question(question.city(), question.text(), number, needle.start(), needle.end(),
                    needle.depthPercent(), numberStart, numberStart + number.length()));
        }
        return of(example.context(), questions, tokenizer);
    }

    /** Lays out a kv-retrieval example (its records as given, e.g. a shortened window) with its one question. */
    public static NeedlePrompt of(KvRetrieval.Example example, ReaderTokenizer tokenizer) {
        KvRetrieval.Context context = example.render();
        return of(context.text(), List.of(new Question(example.key(), example.question(), example.value(),
                context.goldValueStart(), context.goldValueEnd(), example.goldPosition(), context.goldValueStart(),
                context.goldValueEnd())), tokenizer);
    }

    static NeedlePrompt of(String contextText, List<Question> questions, ReaderTokenizer tokenizer) {
        ReaderTokenizer.Tokens context = tokenizer.tokenize(contextText);
        List<Integer> ids = new ArrayList<>();
        for (int id : context.ids()) {
            ids.add(id);
        }
        ids.add(STOP);
        List<Asked> asked = new ArrayList<>();
        for (Question question : questions) {
            int[] span = tokenSpan(context, question.start(), question.end());
            int[] answerSpan = tokenSpan(context, question.answerStart(), question.answerEnd());
            int questionStart = ids.size();
            for (int id : tokenizer.tokenize(question.text()).ids()) {
                ids.add(id);
            }
            int[] answer = answerTokens(tokenizer, question.expected());
            asked.add(new Asked(question.label(), question.expected(), questionStart, ids.size() - 1, answer,
                    span[0], span[1], question.depth(), answerSpan[0], answerSpan[1]));
            for (int id : answer) {
                ids.add(id);
            }
        }
        return new NeedlePrompt(ids.stream().mapToInt(Integer::intValue).toArray(), context.size(), asked);
    }

    /** The answer's WordPiece tokens and the closing {@link #STOP}. */
    static int[] answerTokens(ReaderTokenizer tokenizer, String expected) {
        int[] tokens = tokenizer.tokenize(expected).ids();
        int[] answer = Arrays.copyOf(tokens, tokens.length + 1);
        answer[tokens.length] = STOP;
        return answer;
    }
    /** Tokens {@code [first, last + 1)} whose characters lie inside {@code [start, end)}. */
    static int[] tokenSpan(ReaderTokenizer.Tokens tokens, int start, int end) {
        int first = -1;
        int last = -1;
        for (int i = 0; i < tokens.size(); i++) {
            if (tokens.start()[i] >= start && tokens.end()[i] <= end) {
                first = first < 0 ? i : first;
                last = i;
            }
        }
        if (first < 0) {
            throw new IllegalArgumentException("no token inside characters [" + start + ", " + end + ")");
        }
        return new int[] {first, last + 1};
    }

    /** The context and its [SEP]: what evaluation feeds before the first question. */
    public int[] contextIds() {
        return Arrays.copyOf(ids, contextLength + 1);
    }

    /** Tokens of question {@code i}, from its start to its last token (the answer excluded). */
    public int[] questionIds(int i) {
        Asked question = asked.get(i);
        return Arrays.copyOfRange(ids, question.questionStart(), question.firstAnswerPosition() + 1);
    }

    /**
     * Training targets: for every answer token (and closing [SEP]) the position whose output predicts it and the
     * token. Each row is {position, token}; nothing else in the sequence is trained on.
     */
    public int[][] answerTargets() {
        List<int[]> targets = new ArrayList<>();
        for (Asked question : asked) {
            for (int j = 0; j < question.answer().length; j++) {
                targets.add(new int[] {question.firstAnswerPosition() + j, question.answer()[j]});
            }
        }
        return targets.toArray(int[][]::new);
    }
}
