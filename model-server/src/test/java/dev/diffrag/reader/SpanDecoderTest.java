package dev.diffrag.reader;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SpanDecoderTest {

    /** n tokens of one-character words "a b c …" (ids are irrelevant to decoding). */
    static ReaderTokenizer.Tokens words(int n) {
        int[] ids = new int[n];
        int[] start = new int[n];
        int[] end = new int[n];
        for (int i = 0; i < n; i++) {
            ids[i] = 1000 + i;
            start[i] = 2 * i;
            end[i] = 2 * i + 1;
        }
        return new ReaderTokenizer.Tokens(ids, start, end);
    }

    private static float[] scores(int length, float base) {
        float[] scores = new float[length];
        Arrays.fill(scores, base);
        return scores;
    }

    private static SpanDecoder.Span plain(int maxAnswerTokens, ReaderSequence sequence, float[] start, float[] end) {
        return new SpanDecoder(maxAnswerTokens, 0).decode(sequence, start, end, new boolean[sequence.length()]);
    }

    @Test
    void layoutPlacesPassagesAfterTheQuestionBetweenSeparators() {
        ReaderSequence sequence = ReaderSequence.build(words(3), List.of(words(4), words(2)), Set.of(), 64, 100);
        // [CLS] q q q [SEP] p p p p [SEP] p p [SEP]
        assertThat(sequence.length()).isEqualTo(13);
        assertThat(sequence.passageStart(0)).isEqualTo(5);
        assertThat(sequence.passageEnd(0)).isEqualTo(9);
        assertThat(sequence.passageStart(1)).isEqualTo(10);
        assertThat(sequence.id(9)).isEqualTo(ReaderTokenizer.SEP);
        assertThat(sequence.answerable()).containsExactly(true, false, false, false, false, true, true, true, true,
                false, true, true, false);
    }

    @Test
    void longInputsAreCutAndLatePassagesBecomeEmpty() {
        ReaderSequence sequence = ReaderSequence.build(words(100), List.of(words(10), words(10)), Set.of(), 8, 16);
        assertThat(sequence.length()).isLessThanOrEqualTo(16);
        assertThat(sequence.passageEnd(0) - sequence.passageStart(0)).isEqualTo(5); // 16 − [CLS] 8q [SEP] … [SEP]
        assertThat(sequence.passageEnd(1)).isEqualTo(sequence.passageStart(1));
        assertThat(sequence.position(0, 7)).isEqualTo(-1);
    }

    @Test
    void spanNeverCrossesAPassageBoundary() {
        ReaderSequence sequence = ReaderSequence.build(words(2), List.of(words(3), words(3)), Set.of(), 64, 100);
        float[] start = scores(sequence.length(), 0);
        float[] end = scores(sequence.length(), 0);
        start[sequence.passageStart(0) + 2] = 10; // the last token of passage 0 …
        end[sequence.passageStart(1)] = 10;       // … and the first of passage 1 are the favourites
        SpanDecoder.Span span = plain(30, sequence, start, end);
        int first = sequence.passageStart(span.passage()) + span.startToken();
        int last = sequence.passageStart(span.passage()) + span.endToken();
        assertThat(last).isLessThan(sequence.passageEnd(span.passage()));
        assertThat(first).isGreaterThanOrEqualTo(sequence.passageStart(span.passage()));
        assertThat(span.endToken()).isGreaterThanOrEqualTo(span.startToken());
    }

    @Test
    void spanRespectsTheMaximumLength() {
        ReaderSequence sequence = ReaderSequence.build(words(2), List.of(words(20)), Set.of(), 64, 100);
        float[] start = scores(sequence.length(), 0);
        float[] end = scores(sequence.length(), 0);
        start[sequence.passageStart(0) + 1] = 10;
        end[sequence.passageStart(0) + 12] = 10;
        SpanDecoder.Span span = plain(4, sequence, start, end);
        assertThat(span.endToken() - span.startToken() + 1).isLessThanOrEqualTo(4);
        assertThat(plain(30, sequence, start, end))
                .extracting(SpanDecoder.Span::startToken, SpanDecoder.Span::endToken).containsExactly(1, 12);
    }

    @Test
    void theMaximumLengthIsInclusive() {
        ReaderSequence sequence = ReaderSequence.build(words(2), List.of(words(10)), Set.of(), 64, 100);
        float[] start = scores(sequence.length(), 0);
        float[] end = scores(sequence.length(), 0);
        start[sequence.passageStart(0) + 1] = 10; // the favourite span is tokens 1..5, five tokens
        end[sequence.passageStart(0) + 5] = 10;
        assertThat(plain(5, sequence, start, end))
                .extracting(SpanDecoder.Span::startToken, SpanDecoder.Span::endToken).containsExactly(1, 5);
        SpanDecoder.Span cut = plain(4, sequence, start, end);
        assertThat(cut.endToken() - cut.startToken() + 1).isLessThanOrEqualTo(4);
    }

    @Test
    void probabilitiesAreOverAllowedPositionsAndNoAnswerCanWin() {
        ReaderSequence sequence = ReaderSequence.build(words(2), List.of(words(3)), Set.of(), 64, 100);
        float[] start = scores(sequence.length(), 0);
        float[] end = scores(sequence.length(), 0);
        start[1] = 50; // a question token: not an answer position, so it must not count
        start[0] = 5;
        end[0] = 5;
        SpanDecoder.Span span = plain(30, sequence, start, end);
        // p_none = (e^5 / (e^5 + 3))^2 ≈ 0.96, the best span (1/(e^5 + 3))^2: its share of the two is tiny.
        double positions = Math.exp(5) + 3;
        double none = Math.pow(Math.exp(5) / positions, 2);
        double best = Math.pow(1 / positions, 2);
        assertThat(span.confidence()).isCloseTo(best / (best + none), within(1e-9)).isLessThan(0.01);
        start[0] = 0;
        end[0] = 0;
        start[sequence.passageStart(0)] = 5;
        end[sequence.passageStart(0)] = 5;
        assertThat(plain(30, sequence, start, end).confidence()).isGreaterThan(0.99);
    }

    @Test
    void answerTypeWeightPicksASpanOfTheAskedKindButKeepsItsOwnConfidence() {
        ReaderSequence sequence = ReaderSequence.build(words(2), List.of(words(6)), Set.of(), 64, 100);
        float[] start = scores(sequence.length(), 0);
        float[] end = scores(sequence.length(), 0);
        int first = sequence.passageStart(0);
        start[first + 1] = 3; // the likelier span: token 1 alone
        end[first + 1] = 3;
        start[first + 4] = 2; // a span of the asked kind: token 4 alone, e^2 less likely
        end[first + 4] = 2;
        boolean[] asked = new boolean[sequence.length()];
        asked[first + 4] = true; // tokens 1..4 end on it but start elsewhere: never favoured

        SpanDecoder.Span untyped = new SpanDecoder(30, 0).decode(sequence, start, end, asked);
        assertThat(untyped).extracting(SpanDecoder.Span::startToken, SpanDecoder.Span::endToken).containsExactly(1, 1);
        assertThat(new SpanDecoder(30, 1.9).decode(sequence, start, end, asked).startToken()).isEqualTo(1);

        SpanDecoder.Span typed = new SpanDecoder(30, 2.1).decode(sequence, start, end, asked);
        assertThat(typed).extracting(SpanDecoder.Span::startToken, SpanDecoder.Span::endToken).containsExactly(4, 4);
        double[] p = new double[sequence.length()];
        double sum = 0;
        for (int i = 0; i < p.length; i++) {
            p[i] = sequence.answerable()[i] ? Math.exp(start[i]) : 0;
            sum += p[i];
        }
        double span = Math.pow(p[first + 4] / sum, 2);
        double none = Math.pow(p[0] / sum, 2);
        assertThat(typed.confidence()).isCloseTo(span / (span + none), within(1e-9)).isLessThan(untyped.confidence());
    }

    @Test
    void twoMarkedEndsAroundMostlyUnmarkedTokensAreNotOfTheAskedKind() {
        ReaderSequence sequence = ReaderSequence.build(words(2), List.of(words(8)), Set.of(), 64, 100);
        float[] start = scores(sequence.length(), 0);
        float[] end = scores(sequence.length(), 0);
        int first = sequence.passageStart(0);
        start[first + 2] = 4; // the likeliest span: token 2 alone, e^8
        end[first + 2] = 4;
        start[first] = 3;     // tokens 0..6, e^6: "735 feet … topped out in 2008"
        end[first + 6] = 3;
        boolean[] asked = new boolean[sequence.length()];
        for (int t : new int[] {0, 3, 6}) {
            asked[first + t] = true; // 3 of its 7 tokens: under half, so e^4 does not lift it to e^10
        }
        SpanDecoder decoder = new SpanDecoder(30, 4);
        assertThat(decoder.decode(sequence, start, end, asked))
                .extracting(SpanDecoder.Span::startToken, SpanDecoder.Span::endToken).containsExactly(2, 2);
        asked[first + 4] = true;
        asked[first + 5] = true; // 5 of 7: of the asked kind now
        assertThat(decoder.decode(sequence, start, end, asked))
                .extracting(SpanDecoder.Span::startToken, SpanDecoder.Span::endToken).containsExactly(0, 6);
    }

    @Test
    void aSpanOfTheAskedKindStartsAndEndsOnMarkedTokensAndHalfOfItMarkedIsEnough() {
        ReaderSequence sequence = ReaderSequence.build(words(2), List.of(words(6)), Set.of(), 64, 100);
        float[] start = scores(sequence.length(), 0);
        float[] end = scores(sequence.length(), 0);
        int first = sequence.passageStart(0);
        start[first + 1] = 3; // the likeliest span: token 1 alone, e^6
        end[first + 1] = 3;
        start[first + 2] = 2.5f; // tokens 2..5, e^5: of the asked kind, e^2 lifts it to e^7
        end[first + 5] = 2.5f;
        SpanDecoder decoder = new SpanDecoder(30, 2);
        boolean[] asked = new boolean[sequence.length()];
        asked[first + 2] = true;
        asked[first + 5] = true; // 2 of 4 tokens
        assertThat(decoder.decode(sequence, start, end, asked))
                .extracting(SpanDecoder.Span::startToken, SpanDecoder.Span::endToken).containsExactly(2, 5);
        asked[first + 2] = false;
        asked[first + 4] = true; // still half marked, but it starts on an unmarked token
        assertThat(decoder.decode(sequence, start, end, asked))
                .extracting(SpanDecoder.Span::startToken, SpanDecoder.Span::endToken).containsExactly(1, 1);
    }

    @Test
    void theHalfMarkedRuleCountsTheSpansOwnTokensNotMarksBeforeIt() {
        ReaderSequence sequence = ReaderSequence.build(words(2), List.of(words(8)), Set.of(), 64, 100);
        float[] start = scores(sequence.length(), 0);
        float[] end = scores(sequence.length(), 0);
        int first = sequence.passageStart(0);
        start[first + 1] = 4; // the likeliest span: token 1 alone, e^8
        end[first + 1] = 4;
        start[first + 3] = 3; // tokens 3..7, e^6
        end[first + 7] = 3;
        boolean[] asked = new boolean[sequence.length()];
        for (int t : new int[] {0, 3, 7}) {
            asked[first + t] = true; // 2 of the span's 5 tokens: under half, whatever is marked before it
        }

        assertThat(new SpanDecoder(30, 4).decode(sequence, start, end, asked))
                .extracting(SpanDecoder.Span::startToken, SpanDecoder.Span::endToken).containsExactly(1, 1);
    }

    @Test
    void scoresFarBeyondTheRangeOfExpStillGiveASpanAndItsConfidence() {
        ReaderSequence sequence = ReaderSequence.build(words(2), List.of(words(3)), Set.of(), 64, 100);
        float[] start = scores(sequence.length(), 0);
        float[] end = scores(sequence.length(), 0);
        int first = sequence.passageStart(0);
        start[first + 2] = 1000; // e^1000 overflows a double; softmax must subtract the maximum first
        end[first + 2] = 1000;

        SpanDecoder.Span span = plain(30, sequence, start, end);

        assertThat(span).extracting(SpanDecoder.Span::passage, SpanDecoder.Span::startToken, SpanDecoder.Span::endToken)
                .containsExactly(0, 2, 2);
        assertThat(span.confidence()).isCloseTo(1, within(1e-9));
    }

    @Test
    void withoutPassageTokensThereIsNoSpanAndNoConfidence() {
        ReaderSequence sequence = ReaderSequence.build(words(2), List.of(words(0)), Set.of(), 64, 100);
        SpanDecoder.Span span = plain(30, sequence, scores(sequence.length(), 0), scores(sequence.length(), 0));
        assertThat(span.passage()).isEqualTo(-1);
        assertThat(span.confidence()).isZero();
    }
}
