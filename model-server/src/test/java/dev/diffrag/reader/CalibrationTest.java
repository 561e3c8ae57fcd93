package dev.diffrag.reader;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.diffrag.answer.Passage;
import dev.diffrag.reader.data.ReaderExample;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The threshold is chosen for the targets: abstain on unanswerable inputs, answer answerable ones. */
class CalibrationTest {

    private static final Passage PARIS = new Passage("p", "Paris is the capital of France.");

    private static ReaderFeaturizer featurizer;

    @BeforeAll
    static void open() {
        featurizer = new ReaderFeaturizer(ReaderConfig.of(dev.diffrag.model.AttentionKind.DIFF_V1,
                ReaderConfig.Input.TOKEN_EMBEDDINGS, 32, 1, 16, 128), 1L << 24, 1);
    }

    @AfterAll
    static void close() {
        featurizer.close();
    }

    private final List<ReaderExample> examples = new ArrayList<>();
    private final List<SpanDecoder.Span> spans = new ArrayList<>();

    /** A development example whose best span is "Paris" at the given confidence. */
    private void add(boolean answerable, double confidence) {
        examples.add(answerable ? ReaderExample.single("What is the capital of France?", PARIS, 0, 5,
                List.of("Paris")) : new ReaderExample("Who wrote Hamlet?", List.of(PARIS), -1, 0, 0,
                List.of("Shakespeare")));
        spans.add(new SpanDecoder.Span(0, 0, 0, confidence));
    }

    private Calibration calibrate() {
        return ReaderTraining.calibrate(examples, ReaderTraining.label(examples, featurizer), spans, 0);
    }

    @Test
    void picksTheLowestThresholdThatMeetsBothTargets() {
        for (int i = 0; i < 10; i++) {
            add(true, 0.50 + 0.04 * i);
            add(false, 0.10 + 0.04 * i); // 0.10 … 0.46: below every answerable confidence
        }
        Calibration calibration = calibrate();
        assertThat(calibration.devAbstainRate()).isGreaterThanOrEqualTo(ReaderTraining.ABSTAIN_TARGET);
        assertThat(calibration.devAnswerRate()).isEqualTo(1.0);
        assertThat(calibration.devF1()).isCloseTo(100, within(1e-9));
        // 8 of the 10 unanswerable confidences lie below 0.42: the lowest threshold that reaches 0.8.
        assertThat(calibration.abstainThreshold()).isCloseTo(0.42, within(1e-9));
    }

    @Test
    void comesAsCloseToBothTargetsAsItCanWhenTheyConflict() {
        for (int i = 0; i < 10; i++) {
            add(true, 0.1 * (i + 1));
            add(false, 0.1 * (i + 1)); // indistinguishable: every threshold trades one target against the other
        }
        Calibration calibration = calibrate();
        ReaderTraining.Operating chosen = ReaderTraining.Operating.of(calibration);
        assertThat(chosen.meetsTargets()).isFalse();
        for (SpanDecoder.Span span : spans) {
            ReaderTraining.Operating other = ReaderTraining.operating(examples,
                    ReaderTraining.label(examples, featurizer), spans, span.confidence());
            assertThat(other.targetShare()).isLessThanOrEqualTo(chosen.targetShare() + 1e-12);
        }
        // Abstaining on 5 of 10 and answering 5 of 10: min(0.5 / 0.8, 0.5 / 0.9) beats 4 and 6 (0.5) or 6 and 4 (0.44).
        assertThat(chosen.abstainRate()).isCloseTo(0.5, within(1e-9));
    }

    /**
     * Rates over an empty set counted as 0: with only unanswerable examples (say every answerable one's answer cut by
     * the encoding) every threshold missed the answer target alike, and the lowest, 0, was chosen: abstaining on none.
     */
    @Test
    void refusesDevelopmentDataWithoutBothKindsOfExample() {
        for (int i = 0; i < 10; i++) {
            add(false, 0.1 + 0.05 * i);
        }
        assertThatThrownBy(this::calibrate).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("cannot calibrate the abstention threshold on 0 answerable and 10 unanswerable "
                        + "development examples: it needs both kinds");
        examples.clear();
        spans.clear();
        add(true, 0.5);
        assertThatThrownBy(this::calibrate).hasMessageContaining("on 1 answerable and 0 unanswerable");
    }

    @Test
    void anAnswerTypeWeightWinsByTargetsFirstThenF1AndTiesKeepTheEarlierWeight() {
        ReaderTraining.Operating meets = new ReaderTraining.Operating(0.1, 30, 0.95, 0.8);
        ReaderTraining.Operating readsBetterButMissesAbstention = new ReaderTraining.Operating(0.1, 40, 0.95, 0.7);
        ReaderTraining.Operating meetsAndReadsBetter = new ReaderTraining.Operating(0.2, 35, 0.92, 0.85);
        assertThat(readsBetterButMissesAbstention.betterThan(meets)).isFalse();
        assertThat(meets.betterThan(readsBetterButMissesAbstention)).isTrue();
        assertThat(meetsAndReadsBetter.betterThan(meets)).isTrue();
        assertThat(meets.betterThan(new ReaderTraining.Operating(0.3, 30, 0.99, 0.9))).isFalse(); // a tie
        for (int i = 0; i < 10; i++) {
            add(true, 0.5);
        }
        add(false, 0.1);
        assertThat(ReaderTraining.calibrate(examples, ReaderTraining.label(examples, featurizer), spans, 2.5)
                .answerTypeWeight()).isEqualTo(2.5);
    }
}
