package dev.diffrag.reader;

/**
 * Picks the answer span from start and end scores: the best start ≤ end pair inside one passage (a span never crosses
 * a passage boundary) of at most {@code maxAnswerTokens} tokens, weighed against the no-answer slot at position 0.
 *
 * <p>Probabilities are softmaxes over the allowed positions (position 0 and passage tokens), the same distributions
 * the model was trained on. A span's probability is p_start(i)·p_end(j), the no-answer probability
 * p_start(0)·p_end(0); the span's confidence is its share of the two, p_span / (p_span + p_none): above 0.5 the span
 * is the likelier reading, and a calibrated threshold on it (SQuAD 2.0's null-score threshold, in probability form)
 * decides when to abstain.
 *
 * <p>With an answer-type weight w &gt; 0 the choice among spans weighs a span of the kind the question asks for
 * ({@link AnswerType}) by e^w: p_start(i)·p_end(j)·e^w. A span is of that kind when it starts and ends on marked tokens
 * and at least half of its tokens are marked ("September 21, 2016", "Dr. Jesse Bennett"). Both ends, because a span
 * that merely contained a marked token would let the model's favourite start reach over to it ("Paris, in 1889");
 * half, because two marked ends can frame a clause ("735 feet (224 m) and was topped out in November 2008"). The weight only picks the span; its
 * confidence stays p_span / (p_span + p_none) of the unweighted probabilities, so the threshold keeps its meaning.
 */
public final class SpanDecoder {

    /**
     * The decoded span.
     *
     * @param passage     index of the cited passage, −1 when no span was possible (all passages empty)
     * @param startToken  first token of the span: its index among the whole passage's tokens
     * @param endToken    last token of the span within the whole passage (inclusive)
     * @param confidence  p_span / (p_span + p_none), in [0, 1]; 0 when no span was possible
     */
    public record Span(int passage, int startToken, int endToken, double confidence) {}

    private final int maxAnswerTokens;
    private final double typedSpanFactor;

    /** @param answerTypeWeight w ≥ 0: a span of the asked kind counts e^w times its probability when choosing */
    public SpanDecoder(int maxAnswerTokens, double answerTypeWeight) {
        if (maxAnswerTokens < 1) {
            throw new IllegalArgumentException("maxAnswerTokens must be positive");
        }
        if (!(answerTypeWeight >= 0)) {
            throw new IllegalArgumentException("answerTypeWeight must be at least 0, got " + answerTypeWeight);
        }
        this.maxAnswerTokens = maxAnswerTokens;
        this.typedSpanFactor = Math.exp(answerTypeWeight);
    }

    /**
     * @param start, end the model's scores for the sequence's positions (extra padding positions are ignored)
     * @param askedType  positions holding a passage token of the kind the question asks for
     */
    public Span decode(ReaderSequence sequence, float[] start, float[] end, boolean[] askedType) {
        boolean[] allowed = sequence.answerable();
        double[] startProbability = softmax(start, allowed);
        double[] endProbability = softmax(end, allowed);
        int bestPassage = -1;
        int bestStart = 0;
        int bestEnd = 0;
        int[] markedBefore = new int[askedType.length + 1];
        for (int i = 0; i < askedType.length; i++) {
            markedBefore[i + 1] = markedBefore[i] + (askedType[i] ? 1 : 0);
        }
        double best = -1;
        double bestChoice = -1;
        for (int p = 0; p < sequence.passages(); p++) {
            for (int i = sequence.passageStart(p); i < sequence.passageEnd(p); i++) {
                int last = Math.min(sequence.passageEnd(p), i + maxAnswerTokens);
                for (int j = i; j < last; j++) {
                    double score = startProbability[i] * endProbability[j];
                    boolean ofAskedKind = askedType[i] && askedType[j]
                            && 2 * (markedBefore[j + 1] - markedBefore[i]) >= j - i + 1;
                    double choice = ofAskedKind ? score * typedSpanFactor : score;
                    if (choice > bestChoice) {
                        bestChoice = choice;
                        best = score;
                        bestPassage = p;
                        bestStart = sequence.row(i);
                        bestEnd = sequence.row(j);
                    }
                }
            }
        }
        double none = startProbability[0] * endProbability[0];
        return new Span(bestPassage, bestStart, bestEnd, best > 0 ? best / (best + none) : 0);
    }

    private static double[] softmax(float[] scores, boolean[] allowed) {
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < allowed.length; i++) {
            if (allowed[i]) {
                max = Math.max(max, scores[i]);
            }
        }
        double[] probability = new double[allowed.length];
        double sum = 0;
        for (int i = 0; i < allowed.length; i++) {
            if (allowed[i]) {
                probability[i] = Math.exp(scores[i] - max);
                sum += probability[i];
            }
        }
        for (int i = 0; i < allowed.length; i++) {
            probability[i] /= sum;
        }
        return probability;
    }
}
