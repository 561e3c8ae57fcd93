package dev.diffrag.model;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Every parameter receives a gradient from a language-model loss, so DJL training reaches all of them. */
class AutogradTest {

    @ParameterizedTest
    @EnumSource(AttentionKind.class)
    void everyParameterGetsANonZeroGradient(AttentionKind kind) {
        try (NDManager manager = NDManager.newBaseManager()) {
            DiffTransformer model = Fixtures.model(manager, Fixtures.config(kind, true, true), 41);
            ParameterStore ps = new ParameterStore(manager, false);
            int[][] tokens = Fixtures.tokens(43, 2, 9);
            NDArray ids = Fixtures.ids(manager, tokens);
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                NDArray logits = model.forward(ps, new NDList(ids, Fixtures.mask(manager, Fixtures.real(9, 9, 6))),
                        true).head();
                NDArray targets = ids.get(":, 1:").oneHot(Fixtures.VOCAB);                  // (B, T-1, vocab)
                NDArray loss = logits.get(":, :-1").logSoftmax(-1).mul(targets).sum().neg(); // next-token NLL
                collector.backward(loss);
            }
            for (Map.Entry<String, Parameter> entry : model.namedParameters().entrySet()) {
                NDArray gradient = entry.getValue().getArray().getGradient();
                assertThat(gradient.abs().max().getFloat()).as(entry.getKey()).isGreaterThan(0f);
            }
        }
    }
}
