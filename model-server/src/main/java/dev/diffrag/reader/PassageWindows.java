package dev.diffrag.reader;

import dev.diffrag.reader.ReaderSequence.TokenRange;
import java.util.ArrayList;
import java.util.List;

/**
 * Splits a question's passages into reader inputs that each fit the reader's length, so that no passage goes unread
 * when together they are longer than one input (the "document stride" of BERT's SQuAD reader, Devlin et al. 2019):
 * whole passages, in retrieval order, fill as few inputs as they fit in, and a passage too long for an input of its
 * own is read in pieces that overlap by the longest answer, so every answer span lies whole in some piece. Passages
 * that fit in one input give exactly one window holding them all, the layout {@link ReaderSequence#build} makes.
 */
final class PassageWindows {

    /** One reader input: {@code ranges.get(k)} of passage {@code passages.get(k)}, in this order. */
    record Window(List<Integer> passages, List<TokenRange> ranges) {}

    private PassageWindows() {}

    /**
     * @param questionTokens the question's tokens that the layout holds (at most the reader's question limit)
     * @param passageTokens  each passage's token count
     * @param maxLength      the reader's sequence limit: [CLS] question [SEP] and each piece with its [SEP] fit in it
     * @param overlap        tokens shared by consecutive pieces of one long passage: the longest answer
     */
    static List<Window> plan(int questionTokens, int[] passageTokens, int maxLength, int overlap) {
        int room = maxLength - 2 - questionTokens; // each piece also takes one [SEP]
        if (room < 2) {
            throw new IllegalArgumentException("no room for a passage token: sequence limit " + maxLength
                    + ", question " + questionTokens + " tokens");
        }
        int piece = room - 1;
        int step = Math.max(1, piece - overlap);
        List<Window> windows = new ArrayList<>();
        List<Integer> passages = new ArrayList<>();
        List<TokenRange> ranges = new ArrayList<>();
        int used = 0;
        for (int p = 0; p < passageTokens.length; p++) {
            int tokens = passageTokens[p];
            if (used + tokens + 1 > room && !passages.isEmpty()) {
                windows.add(new Window(List.copyOf(passages), List.copyOf(ranges)));
                passages.clear();
                ranges.clear();
                used = 0;
            }
            if (tokens + 1 <= room) {
                passages.add(p);
                ranges.add(new TokenRange(0, tokens));
                used += tokens + 1;
                continue;
            }
            for (int from = 0; ; from += step) {
                int to = Math.min(tokens, from + piece);
                windows.add(new Window(List.of(p), List.of(new TokenRange(from, to))));
                if (to == tokens) {
                    break;
                }
            }
        }
        if (!passages.isEmpty() || windows.isEmpty()) {
            windows.add(new Window(List.copyOf(passages), List.copyOf(ranges)));
        }
        return windows;
    }
}
