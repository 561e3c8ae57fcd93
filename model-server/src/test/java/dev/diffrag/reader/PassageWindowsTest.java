package dev.diffrag.reader;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.diffrag.reader.PassageWindows.Window;
import dev.diffrag.reader.ReaderSequence.TokenRange;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PassageWindowsTest {

    /** [CLS] question [SEP] and every piece with its [SEP]: what {@link ReaderSequence#build} lays out. */
    private static int layoutLength(int questionTokens, Window window) {
        return 2 + questionTokens + window.ranges().stream().mapToInt(r -> r.size() + 1).sum();
    }

    @Test
    void passagesThatFitTogetherStayInOneWholeWindow() {
        List<Window> windows = PassageWindows.plan(5, new int[] {10, 0, 20}, 40, 3); // 2 + 5 + 11 + 1 + 21 = 40
        assertThat(windows).containsExactly(new Window(List.of(0, 1, 2),
                List.of(new TokenRange(0, 10), new TokenRange(0, 0), new TokenRange(0, 20))));
    }

    @Test
    void passagesThatDoNotFitTogetherAreReadWholeInLaterWindowsInOrder() {
        int[] tokens = {10, 12, 3, 20, 7, 1};
        List<Window> windows = PassageWindows.plan(4, tokens, 30, 3);
        List<Integer> order = new ArrayList<>();
        for (Window window : windows) {
            assertThat(layoutLength(4, window)).isLessThanOrEqualTo(30);
            order.addAll(window.passages());
            for (int k = 0; k < window.passages().size(); k++) {
                assertThat(window.ranges().get(k)).isEqualTo(new TokenRange(0, tokens[window.passages().get(k)]));
            }
        }
        assertThat(order).containsExactly(0, 1, 2, 3, 4, 5);
        assertThat(windows).hasSize(4); // {10, 12} {3} {20} {7, 1}: room for 24 tokens with the [SEP]s
    }

    @Test
    void aPassageTooLongForAWindowIsReadInOverlappingPiecesThatHoldEveryShortSpan() {
        int overlap = 4;
        List<Window> windows = PassageWindows.plan(3, new int[] {2, 50, 2}, 20, overlap);
        List<TokenRange> pieces = new ArrayList<>();
        for (Window window : windows) {
            assertThat(layoutLength(3, window)).isLessThanOrEqualTo(20);
            if (window.passages().contains(1)) {
                assertThat(window.passages()).containsExactly(1); // a piece has its window to itself
                pieces.add(window.ranges().get(0));
            }
        }
        assertThat(windows.get(0).passages()).containsExactly(0);
        assertThat(windows.get(windows.size() - 1).passages()).containsExactly(2);
        assertThat(pieces.get(0).from()).isZero();
        assertThat(pieces.get(pieces.size() - 1).to()).isEqualTo(50);
        for (int i = 1; i < pieces.size(); i++) {
            assertThat(pieces.get(i - 1).to() - pieces.get(i).from()).isEqualTo(overlap);
        }
        for (int start = 0; start + overlap + 1 <= 50; start++) { // every span of up to overlap + 1 tokens
            int first = start;
            assertThat(pieces).anySatisfy(piece -> {
                assertThat(piece.from()).isLessThanOrEqualTo(first);
                assertThat(piece.to()).isGreaterThanOrEqualTo(first + overlap + 1);
            });
        }
    }

    @Test
    void noPassagesGiveOneEmptyWindowAndNoRoomIsRefused() {
        assertThat(PassageWindows.plan(3, new int[0], 20, 2)).containsExactly(new Window(List.of(), List.of()));
        assertThatThrownBy(() -> PassageWindows.plan(17, new int[] {1}, 20, 2))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no room");
    }

    @Test
    void aLayoutOfATokenRangeKeepsWholePassageTokenIndices() {
        ReaderTokenizer.Tokens passage = SpanDecoderTest.words(10);
        ReaderSequence sequence = ReaderSequence.build(SpanDecoderTest.words(2), List.of(passage),
                List.of(new TokenRange(6, 9)), Set.of(), 64, 100);
        // [CLS] q q [SEP] p6 p7 p8 [SEP]
        assertThat(sequence.length()).isEqualTo(8);
        assertThat(sequence.row(4)).isEqualTo(6);
        assertThat(sequence.id(6)).isEqualTo(passage.ids()[8]);
        assertThat(sequence.position(0, 7)).isEqualTo(5);
        assertThat(sequence.position(0, 5)).isEqualTo(-1);
        assertThat(sequence.position(0, 9)).isEqualTo(-1);

        float[] start = new float[8];
        float[] end = new float[8];
        start[5] = 10;
        end[6] = 10;
        SpanDecoder.Span span = new SpanDecoder(30, 0).decode(sequence, start, end, new boolean[8]);
        assertThat(span.startToken()).isEqualTo(7);
        assertThat(span.endToken()).isEqualTo(8);
    }
}
