package dev.diffrag.longctx.lm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.diffrag.longctx.KvRetrieval;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class KvWindowTest {

    /** Ten pairs k0..k9 → v0..v9, asking the pair at {@code gold}. */
    private static KvRetrieval.Example record(int gold) {
        List<KvRetrieval.Pair> pairs = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            pairs.add(new KvRetrieval.Pair("k" + i, "v" + i));
        }
        return new KvRetrieval.Example(pairs, "k" + gold, "v" + gold, gold);
    }

    @Test
    void shortenKeepsTheGoldPairAtItsRelativePosition() {
        KvRetrieval.Example first = KvWindow.shorten(record(0), 4);
        KvRetrieval.Example last = KvWindow.shorten(record(9), 4);
        KvRetrieval.Example middle = KvWindow.shorten(record(5), 4);

        assertThat(first.records()).extracting(KvRetrieval.Pair::key).containsExactly("k0", "k1", "k2", "k3");
        assertThat(first.goldPosition()).isZero();
        assertThat(last.records()).extracting(KvRetrieval.Pair::key).containsExactly("k6", "k7", "k8", "k9");
        assertThat(last.goldPosition()).isEqualTo(3);
        assertThat(middle.goldPosition()).isEqualTo(2); // round(5·3/9) = 2
        assertThat(middle.records().get(middle.goldPosition()).key()).isEqualTo("k5");
        assertThat(middle.key()).isEqualTo("k5");
    }

    @Test
    void ofAsksTheChosenPairOfTheWindow() {
        KvRetrieval.Example window = KvWindow.of(record(0), 6, 3, 1);

        assertThat(window.records()).extracting(KvRetrieval.Pair::key).containsExactly("k6", "k7", "k8");
        assertThat(window.key()).isEqualTo("k7");
        assertThat(window.value()).isEqualTo("v7");
        assertThat(window.goldPosition()).isEqualTo(1);
        KvRetrieval.Context context = window.render();
        assertThat(context.text().substring(context.goldValueStart(), context.goldValueEnd())).isEqualTo("v7");
        assertThatThrownBy(() -> KvWindow.of(record(0), 8, 3, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> KvWindow.of(record(0), 0, 3, 3)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> KvWindow.of(record(0), 0, 11, 0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void trainingWindowsAskEveryKeyOfTheRecordNotOnlyItsOwn() {
        Random random = new Random(7);
        Set<String> asked = new HashSet<>();
        Set<Integer> positions = new HashSet<>();
        for (int i = 0; i < 400; i++) {
            KvRetrieval.Example window = KvWindow.sample(record(4), 3, random);
            assertThat(window.records()).hasSize(3);
            int first = Integer.parseInt(window.records().get(0).key().substring(1));
            for (int p = 0; p < 3; p++) {
                assertThat(window.records().get(p).key()).isEqualTo("k" + (first + p)); // consecutive pairs
            }
            assertThat(window.records().get(window.goldPosition()).key()).isEqualTo(window.key());
            assertThat(window.value()).isEqualTo("v" + window.key().substring(1));
            asked.add(window.key());
            positions.add(window.goldPosition());
        }
        assertThat(asked).hasSize(10);
        assertThat(positions).containsExactlyInAnyOrder(0, 1, 2);
    }
}
