package dev.diffrag.reader.data;

import dev.diffrag.answer.Passage;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/** Unanswerable and long-context examples made from answerable ones and a pool of other passages. */
public final class Distractors {

    private final List<Passage> pool;

    public Distractors(List<Passage> pool) {
        if (pool.isEmpty()) {
            throw new IllegalArgumentException("need passages to draw distractors from");
        }
        this.pool = List.copyOf(pool);
    }

    /** True when the passage contains none of the answers (case-insensitive). */
    public static boolean lacksAnswers(Passage passage, List<String> answers) {
        String text = passage.text().toLowerCase(Locale.ROOT);
        return answers.stream().noneMatch(a -> text.contains(a.toLowerCase(Locale.ROOT)));
    }

    /** {@code count} passages that are not among the example's and lack its answers. */
    List<Passage> draw(ReaderExample example, int count, Random random) {
        List<Passage> drawn = new ArrayList<>(count);
        int attempts = 0;
        while (drawn.size() < count) {
            if (++attempts > 100 * (count + 1)) {
                throw new IllegalStateException("cannot find " + count + " distractors for: " + example.question());
            }
            Passage candidate = pool.get(random.nextInt(pool.size()));
            boolean fresh = example.passages().stream().noneMatch(p -> p.text().equals(candidate.text()))
                    && drawn.stream().noneMatch(p -> p.text().equals(candidate.text()));
            if (fresh && lacksAnswers(candidate, example.answers())) {
                drawn.add(candidate);
            }
        }
        return drawn;
    }

    /** The question with {@code count} passages that lack its answer and none of its own. */
    public ReaderExample unanswerable(ReaderExample example, int count, Random random) {
        return new ReaderExample(example.question(), draw(example, count, random), -1, 0, 0, example.answers());
    }

    /** The example's gold passage among {@code count} distractors, at a random position. */
    public ReaderExample amongDistractors(ReaderExample example, int count, Random random) {
        if (!example.answerable()) {
            throw new IllegalArgumentException("an unanswerable example has no gold passage");
        }
        List<Passage> passages = draw(example, count, random);
        int gold = random.nextInt(count + 1);
        passages.add(gold, example.passages().get(example.answerPassage()));
        return new ReaderExample(example.question(), passages, gold, example.answerStart(), example.answerEnd(),
                example.answers());
    }
}
