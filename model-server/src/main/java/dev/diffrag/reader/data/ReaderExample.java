package dev.diffrag.reader.data;

import dev.diffrag.answer.Passage;
import java.util.List;

/**
 * A training or development example: a question, its passages, and where the answer lies.
 *
 * @param passages      the passages in input order
 * @param answerPassage index of the passage holding the answer, −1 when none does (unanswerable)
 * @param answerStart   character offset of the answer in that passage
 * @param answerEnd     end offset (exclusive)
 * @param answers       every accepted answer string (for F1 on development data)
 */
public record ReaderExample(String question, List<Passage> passages, int answerPassage, int answerStart,
        int answerEnd, List<String> answers) {

    public ReaderExample {
        passages = List.copyOf(passages);
        answers = List.copyOf(answers);
        if (answerPassage >= passages.size() || (answerPassage >= 0
                && (answerStart < 0 || answerEnd <= answerStart
                        || answerEnd > passages.get(answerPassage).text().length()))) {
            throw new IllegalArgumentException("answer [" + answerStart + ", " + answerEnd + ") of passage "
                    + answerPassage + " is not inside the passages");
        }
    }

    public boolean answerable() {
        return answerPassage >= 0;
    }

    /** A question whose answer is {@code [start, end)} of its only passage. */
    public static ReaderExample single(String question, Passage passage, int start, int end, List<String> answers) {
        return new ReaderExample(question, List.of(passage), 0, start, end, answers);
    }

    /** The answer text, or null when unanswerable. */
    public String answerText() {
        return answerable() ? passages.get(answerPassage).text().substring(answerStart, answerEnd) : null;
    }
}
