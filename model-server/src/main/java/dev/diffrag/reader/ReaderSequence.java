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
 * A layout may hold only a range of a passage's tokens ({@link TokenRange}): {@link PassageWindows} reads passages
 * that do not fit in one input in several; token indices stay those of the whole passage.
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
    private final int[] firstToken; // passage token held at passageStart

    /** Tokens {@code [from, to)} of one passage: the part of it that a layout holds. */
    public record TokenRange(int from, int to) {
        public TokenRange {
            if (from < 0 || to < from) {
                throw new IllegalArgumentException("bad token range [" + from + ", " + to + ")");
            }
        }

        static TokenRange whole(ReaderTokenizer.Tokens tokens) {
            return new TokenRange(0, tokens.size());
        }

        public int size() {
            return to - from;
        }
    }

    private ReaderSequence(int length, int passages) {
        ids = new int[length];
        segments = new int[length];
        source = new int[length];
        row = new int[length];
        passageStart = new int[passages];
        passageEnd = new int[passages];
        firstToken = new int[passages];
    }

    /**
     * @param unmatched token ids that never count as a question match (function words), see
     *                  {@link ReaderConfig#PASSAGE_MATCH}
     */
    public static ReaderSequence build(ReaderTokenizer.Tokens question, List<ReaderTokenizer.Tokens> passages,
            Set<Integer> unmatched, int maxQuestionTokens, int maxLength) {
        return build(question, passages, passages.stream().map(TokenRange::whole).toList(), unmatched,
                maxQuestionTokens, maxLength);
    }

    /** {@link #build} holding only tokens {@code ranges.get(p)} of passage p. */
    public static ReaderSequence build(ReaderTokenizer.Tokens question, List<ReaderTokenizer.Tokens> passages,
            List<TokenRange> ranges, Set<Integer> unmatched, int maxQuestionTokens, int maxLength) {
        int questionTokens = Math.min(question.size(), maxQuestionTokens);
        Set<Integer> questionTerms = new HashSet<>();
        for (int i = 0; i < questionTokens; i++) {
            if (!unmatched.contains(question.ids()[i])) {
                questionTerms.add(question.ids()[i]);
            }
        }
        int length = 2 + questionTokens;
        for (int p = 0; p < passages.size(); p++) {
            if (ranges.get(p).to() > passages.get(p).size()) {
                throw new IllegalArgumentException("token range " + ranges.get(p) + " past passage " + p + "'s "
                        + passages.get(p).size() + " tokens");
            }
            length += ranges.get(p).size() + 1;
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
            TokenRange range = ranges.get(p);
            sequence.passageStart[p] = position;
            sequence.firstToken[p] = range.from();
            for (int i = range.from(); i < range.to() && position < length - 1; i++) {
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
        System.arraycopy(firstToken, 0, copy.firstToken, 0, firstToken.length);
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

    /** Position of token {@code index} of passage p, or −1 when this layout does not hold it. */
    public int position(int p, int index) {
        int position = passageStart[p] + index - firstToken[p];
        return index >= firstToken[p] && position < passageEnd[p] ? position : -1;
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
