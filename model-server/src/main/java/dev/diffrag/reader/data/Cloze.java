package dev.diffrag.reader.data;

import dev.diffrag.answer.Passage;
import java.text.BreakIterator;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Synthetic extractive questions from real text: one sentence of a passage with a year, a number or a capitalised
 * name replaced by a question word ("In what year did …?"), answered by the hidden span at its place in the passage.
 */
public final class Cloze {

    private static final Pattern YEAR = Pattern.compile("\\b(1[5-9]\\d\\d|20\\d\\d)\\b");
    private static final Pattern NUMBER = Pattern.compile("\\b\\d+(?:[.,]\\d+)*\\b");
    private static final Pattern NAME = Pattern.compile("\\b\\p{Lu}\\p{L}+(?:\\s+\\p{Lu}\\p{L}+){0,3}\\b");

    private record Candidate(int start, int end, String questionWord) {}

    private Cloze() {}

    /**
     * Up to {@code count} questions about different sentences of the passage, in the order they were drawn; none when
     * no sentence has a span worth hiding.
     */
    public static List<ReaderExample> questions(Passage passage, int count, Random random) {
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
            List<Candidate> candidates = candidates(words);
            if (candidates.isEmpty()) {
                continue;
            }
            Candidate hidden = candidates.get(random.nextInt(candidates.size()));
            String question = (words.substring(0, hidden.start()) + hidden.questionWord()
                    + words.substring(hidden.end())).trim().replaceAll("[\\s.!?;:,\"'”’]+$", "") + "?";
            int start = sentence[0] + hidden.start();
            int end = sentence[0] + hidden.end();
            questions.add(ReaderExample.single(question, passage, start, end, List.of(text.substring(start, end))));
        }
        return questions;
    }

    private static List<Candidate> candidates(String sentence) {
        List<Candidate> candidates = new ArrayList<>();
        List<int[]> years = spans(YEAR.matcher(sentence));
        years.forEach(s -> candidates.add(new Candidate(s[0], s[1], "what year")));
        for (int[] s : spans(NUMBER.matcher(sentence))) {
            if (years.stream().noneMatch(y -> y[0] == s[0])) {
                candidates.add(new Candidate(s[0], s[1], "how many"));
            }
        }
        for (int[] s : spans(NAME.matcher(sentence))) {
            if (insideSentence(sentence, s[0])) { // a sentence's first word is capitalised anyway
                candidates.add(new Candidate(s[0], s[1], "who or what"));
            }
        }
        return candidates;
    }

    /** True when the word at {@code at} follows a space and a word of the same sentence. */
    private static boolean insideSentence(String sentence, int at) {
        if (at == 0 || sentence.charAt(at - 1) != ' ') {
            return false;
        }
        String before = sentence.substring(0, at).stripTrailing();
        return !before.isEmpty() && ".!?:\"“\n".indexOf(before.charAt(before.length() - 1)) < 0;
    }

    private static List<int[]> spans(Matcher matcher) {
        List<int[]> spans = new ArrayList<>();
        while (matcher.find()) {
            spans.add(new int[] {matcher.start(), matcher.end()});
        }
        return spans;
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
