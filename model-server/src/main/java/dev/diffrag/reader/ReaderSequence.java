package dev.diffrag.reader;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The reader's input layout for one question and its passages:
 * <pre>
 * [CLS] question tokens [SEP] passage 0 tokens [SEP] passage 1 tokens [SEP] …
 * </pre>
 * Passage tokens that also occur in the question (function words aside) carry their own segment id
 * ({@link ReaderConfig#PASSAGE_MATCH}), the exact-match feature of DrQA (Chen et al. 2017): the model sees where the
 * question's words recur without having to learn it first through attention.
 * Position 0 ([CLS]) is the no-answer slot: a start and end both there mean "the passages do not answer". Passages
 * that do not fit into {@code maxLength} are cut (a passage may end up empty); the layout records, for every
 * position, which passage token (if any) it holds, so a predicted span maps back to characters of one passage.
 */
public final class ReaderSequence {

    /** {@link #source} of positions that hold no text ([CLS], [SEP]). */
    static final int BOUNDARY = -1;
    /** {@link #source} of question tokens. */
    static final int QUESTION = -2;

    private final int[] ids;
    private final int[] segments;
    private final int[] source; // passage index, QUESTION or BOUNDARY
    private final int[] row;    // token index within the question or passage
    private final int[] passageStart;
    private final int[] passageEnd;

    private ReaderSequence(int length, int passages) {
        ids = new int[length];
        segments = new int[length];
        source = new int[length];
        row = new int[length];
        passageStart = new int[passages];
        passageEnd = new int[passages];
    }

    /**
     * @param unmatched token ids that never count as a question match (function words), see
     *                  {@link ReaderConfig#PASSAGE_MATCH}
     */
    public static ReaderSequence build(ReaderTokenizer.Tokens question, List<ReaderTokenizer.Tokens> passages,
            Set<Integer> unmatched, int maxQuestionTokens, int maxLength) {
        int questionTokens = Math.min(question.size(), maxQuestionTokens);
        Set<Integer> questionTerms = new HashSet<>();
        for (int i = 0; i < questionTokens; i++) {
            if (!unmatched.contains(question.ids()[i])) {
                questionTerms.add(question.ids()[i]);
            }
        }
        int length = 2 + questionTokens;
        for (ReaderTokenizer.Tokens passage : passages) {
            length += passage.size() + 1;
        }
        length = Math.min(length, maxLength);
        ReaderSequence sequence = new ReaderSequence(length, passages.size());
        int position = 0;
        sequence.put(position++, ReaderTokenizer.CLS, ReaderConfig.BOUNDARY, BOUNDARY, 0);
        for (int i = 0; i < questionTokens; i++) {
            sequence.put(position++, question.ids()[i], ReaderConfig.QUESTION, QUESTION, i);
        }
        for (int p = 0; p < passages.size(); p++) {
            if (position < length) {
                sequence.put(position++, ReaderTokenizer.SEP, ReaderConfig.BOUNDARY, BOUNDARY, 0);
            }
            ReaderTokenizer.Tokens passage = passages.get(p);
            sequence.passageStart[p] = position;
            for (int i = 0; i < passage.size() && position < length - 1; i++) {
                int id = passage.ids()[i];
                int segment = questionTerms.contains(id) ? ReaderConfig.PASSAGE_MATCH : ReaderConfig.PASSAGE;
                sequence.put(position++, id, segment, p, i);
            }
            sequence.passageEnd[p] = position;
        }
        if (position < length) {
            sequence.put(position++, ReaderTokenizer.SEP, ReaderConfig.BOUNDARY, BOUNDARY, 0);
        }
        return position == length ? sequence : sequence.truncated(position);
    }

    private void put(int position, int id, int segment, int from, int index) {
        ids[position] = id;
        segments[position] = segment;
        source[position] = from;
        row[position] = index;
    }

    private ReaderSequence truncated(int length) {
        ReaderSequence copy = new ReaderSequence(length, passageStart.length);
        System.arraycopy(ids, 0, copy.ids, 0, length);
        System.arraycopy(segments, 0, copy.segments, 0, length);
        System.arraycopy(source, 0, copy.source, 0, length);
        System.arraycopy(row, 0, copy.row, 0, length);
        System.arraycopy(passageStart, 0, copy.passageStart, 0, passageStart.length);
        System.arraycopy(passageEnd, 0, copy.passageEnd, 0, passageEnd.length);
        return copy;
    }

    public int length() {
        return ids.length;
    }

    public int passages() {
        return passageStart.length;
    }

    int id(int position) {
        return ids[position];
    }

    int segment(int position) {
        return segments[position];
    }

    /** Passage index of a position, or {@link #QUESTION} / {@link #BOUNDARY}. */
    int source(int position) {
        return source[position];
    }

    /** Token index within the question or passage of {@link #source}. */
    int row(int position) {
        return row[position];
    }

    /** First position of passage p's tokens. */
    public int passageStart(int p) {
        return passageStart[p];
    }

    /** One past the last position of passage p's tokens (equal to the start when the passage was cut away). */
    public int passageEnd(int p) {
        return passageEnd[p];
    }

    /** Position of token {@code index} of passage p, or −1 when it was cut. */
    public int position(int p, int index) {
        int position = passageStart[p] + index;
        return position < passageEnd[p] ? position : -1;
    }

    /** Positions where an answer may start or end: the no-answer slot and every passage token. */
    public boolean[] answerable() {
        boolean[] allowed = new boolean[ids.length];
        allowed[0] = true;
        for (int position = 0; position < ids.length; position++) {
            allowed[position] |= source[position] >= 0;
        }
        return allowed;
    }
}
