package dev.diffrag.reader.data;

import dev.diffrag.answer.Passage;
import java.text.BreakIterator;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * Synthetic extractive questions from real text: one sentence of a passage with a span (a year, a number, a name, a
 * phrase: see {@link ClozeSpans}) replaced by a question word ("In what year did …?"), answered by the hidden span at
 * its place in the passage.
 */
public final class Cloze {

    /** How the question is worded around the hidden span. */
    public enum Form {
        /** The sentence with the span replaced by its question word: "… was awarded in what year to Röntgen?" */
        IN_PLACE,
        /**
         * The question word first, then the sentence without the span, with each word dropped with probability
         * {@value #DROP} and words shuffled at most {@value #SHUFFLE_DISTANCE} places: "what year the first was
         * awarded in to Röntgen Prize?". Lewis et al. 2019 ("Unsupervised Question Answering by Cloze Translation",
         * §3.2) found such noisy clozes train better readers than exact ones: the answer can no longer be found by
         * lining the question up with the passage and reading off the gap, and the question word sits where natural
         * questions put it.
         */
        FRONTED_NOISY,
        /**
         * {@link #IN_PLACE}, except for {@value #DECOY_SHARE} of the questions whose sentence has a span of another
         * kind: those put the question word first and drop both spans from the sentence, "what year did receive the
         * first Nobel Prize in Physics?" The passage then has two spans that the question lacks and neither lines up
         * with a word of the question, so only the question word tells which is asked for. An in-place cloze is
         * answered by lining the question up with the passage and reading off the one gap, which trains readers that
         * ignore what the question asks for (a "when" and a "who" question about one sentence got the same span); a
         * decoy left in place behind a placeholder word would still line up, and give the answer away by elimination.
         */
        TWO_GAPS
    }

    private static final double DECOY_SHARE = 0.5;
    private static final double DROP = 0.1;
    private static final int SHUFFLE_DISTANCE = 3;

    private final ClozeSpans spans;
    private final Form form;

    public Cloze(ClozeSpans spans, Form form) {
        this.spans = spans;
        this.form = form;
    }

    /**
     * Up to {@code count} questions about different sentences of the passage, in the order they were drawn; none when
     * no sentence has a span worth hiding.
     */
    public List<ReaderExample> questions(Passage passage, int count, Random random) {
        String text = passage.text();
        List<int[]> sentences = sentences(text);
        Collections.shuffle(sentences, random);
        List<ReaderExample> questions = new ArrayList<>();
        for (int[] sentence : sentences) {
            if (questions.size() == count) {
                break;
            }
            String words = text.substring(sentence[0], sentence[1]);
            int wordCount = words.trim().split("\\s+").length;
            if (wordCount < 6 || wordCount > 45) {
                continue;
            }
            ClozeSpans.HiddenSpan hidden = spans.draw(words, random);
            if (hidden == null) {
                continue;
            }
            ClozeSpans.HiddenSpan decoy = form == Form.TWO_GAPS && random.nextDouble() < DECOY_SHARE
                    ? spans.decoy(words, hidden, random) : null;
            String question = (form == Form.FRONTED_NOISY
                    ? hidden.questionWord() + " " + noisy(without(words, hidden, null), random)
                    : decoy != null ? hidden.questionWord() + " " + without(words, hidden, decoy)
                    : words.substring(0, hidden.start()) + hidden.questionWord() + words.substring(hidden.end()))
                    .trim().replaceAll("[\\s.!?;:,\"'”’]+$", "") + "?";
            int start = sentence[0] + hidden.start();
            int end = sentence[0] + hidden.end();
            questions.add(ReaderExample.single(question, passage, start, end, List.of(text.substring(start, end))));
        }
        return questions;
    }

    /** The sentence without the hidden span and without the decoy, if any, in single-spaced words. */
    private static String without(String sentence, ClozeSpans.HiddenSpan hidden, ClozeSpans.HiddenSpan decoy) {
        StringBuilder rest = new StringBuilder(sentence);
        for (ClozeSpans.HiddenSpan span : decoy == null ? List.of(hidden)
                : decoy.start() > hidden.start() ? List.of(decoy, hidden) : List.of(hidden, decoy)) {
            rest.delete(span.start(), span.end()); // the later span first: the earlier one's offsets stay valid
        }
        return rest.toString().trim().replaceAll("\\s+", " ");
    }

    /** The words of {@code text} with some dropped and the rest shuffled locally (see {@link Form#FRONTED_NOISY}). */
    static String noisy(String text, Random random) {
        List<String> kept = new ArrayList<>();
        for (String word : text.trim().split("\\s+")) {
            if (random.nextDouble() >= DROP) {
                kept.add(word);
            }
        }
        // Each word moves to the order of i + U[0, k + 1): no word travels more than k places (Lample et al. 2018).
        double[] keys = new double[kept.size()];
        for (int i = 0; i < keys.length; i++) {
            keys[i] = i + random.nextDouble() * (SHUFFLE_DISTANCE + 1);
        }
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < keys.length; i++) {
            order.add(i);
        }
        order.sort((a, b) -> Double.compare(keys[a], keys[b]));
        return String.join(" ", order.stream().map(kept::get).toList());
    }

    /** Sentence boundaries {@code [start, end)} of a text. */
    static List<int[]> sentences(String text) {
        BreakIterator iterator = BreakIterator.getSentenceInstance(Locale.ENGLISH);
        iterator.setText(text);
        List<int[]> sentences = new ArrayList<>();
        for (int start = iterator.first(), end = iterator.next(); end != BreakIterator.DONE;
                start = end, end = iterator.next()) {
            sentences.add(new int[] {start, end});
        }
        return sentences;
    }

    /** Cuts a long text into passages of whole sentences of about {@code words} words. */
    public static List<String> chunks(String text, int words) {
        List<String> chunks = new ArrayList<>();
        StringBuilder chunk = new StringBuilder();
        int count = 0;
        for (int[] sentence : sentences(text)) {
            String s = text.substring(sentence[0], sentence[1]).replaceAll("\\s+", " ").trim();
            if (s.isEmpty()) {
                continue;
            }
            chunk.append(chunk.length() > 0 ? " " : "").append(s);
            count += s.split(" ").length;
            if (count >= words) {
                chunks.add(chunk.toString());
                chunk.setLength(0);
                count = 0;
            }
        }
        if (count >= words / 2) {
            chunks.add(chunk.toString());
        }
        return chunks;
    }
}
