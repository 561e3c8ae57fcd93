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

    private final ClozeSpans spans;

    public Cloze(ClozeSpans spans) {
        this.spans = spans;
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
            String question = (words.substring(0, hidden.start()) + hidden.questionWord()
                    + words.substring(hidden.end())).trim().replaceAll("[\\s.!?;:,\"'”’]+$", "") + "?";
            int start = sentence[0] + hidden.start();
            int end = sentence[0] + hidden.end();
            questions.add(ReaderExample.single(question, passage, start, end, List.of(text.substring(start, end))));
        }
        return questions;
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
