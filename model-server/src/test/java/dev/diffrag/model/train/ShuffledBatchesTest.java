package dev.diffrag.model.train;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class ShuffledBatchesTest {

    private static List<Integer> ids(BatchSource source, long step, NDManager manager) {
        return IntStream.of(source.batch(step, manager).inputs().head().toIntArray()).boxed().toList();
    }

    private static ShuffledBatches<Integer> source(int seed) {
        List<Integer> examples = IntStream.range(0, 10).boxed().toList();
        return new ShuffledBatches<>(examples, 4, seed, (picked, manager) -> new Batch(
                new NDList(manager.create(picked.stream().mapToInt(Integer::intValue).toArray())), new NDList()));
    }

    @Test
    void aBatchDependsOnlyOnItsStepAndTheSeed() {
        try (NDManager manager = NDManager.newBaseManager()) {
            ShuffledBatches<Integer> inOrder = source(3);
            List<List<Integer>> sequential = new ArrayList<>();
            for (int step = 0; step < 6; step++) {
                sequential.add(ids(inOrder, step, manager));
            }
            ShuffledBatches<Integer> jumping = source(3);
            assertThat(ids(jumping, 5, manager)).isEqualTo(sequential.get(5));
            assertThat(ids(jumping, 1, manager)).isEqualTo(sequential.get(1));
            assertThat(ids(source(4), 1, manager)).isNotEqualTo(sequential.get(1));

            // Steps 0..4 hold 20 positions: epochs 0 and 1, each a permutation of all 10 examples.
            List<Integer> flat = sequential.stream().flatMap(List::stream).toList();
            assertThat(flat.subList(0, 10)).containsExactlyInAnyOrderElementsOf(IntStream.range(0, 10).boxed().toList());
            assertThat(flat.subList(10, 20)).containsExactlyInAnyOrderElementsOf(IntStream.range(0, 10).boxed().toList());
            assertThat(flat.subList(0, 10)).isNotEqualTo(flat.subList(10, 20));
        }
    }
}
