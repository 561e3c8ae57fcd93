package dev.diffrag.model;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Activation;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import java.util.List;

/** SwiGLU feed-forward, LLaMA naming: w2(silu(w1·x) ⊙ w3·x), no biases. */
final class SwiGlu {

    private final Parameter w1; // gate (hidden, dModel)
    private final Parameter w2; // down (dModel, hidden)
    private final Parameter w3; // up   (hidden, dModel)

    SwiGlu(String prefix, int dModel, int hidden) {
        this.w1 = Params.linear(prefix + ".w1.weight", hidden, dModel);
        this.w2 = Params.linear(prefix + ".w2.weight", dModel, hidden);
        this.w3 = Params.linear(prefix + ".w3.weight", hidden, dModel);
    }

    List<Parameter> parameters() {
        return List.of(w1, w2, w3);
    }

    /** (B, T, dModel) → (B, T, dModel). */
    NDArray forward(ParameterStore ps, NDArray x, boolean training) {
        NDArray gate = Linear.linear(x, Params.value(ps, w1, x, training)).head(); // (B, T, hidden)
        NDArray up = Linear.linear(x, Params.value(ps, w3, x, training)).head();   // (B, T, hidden)
        NDArray hidden = gate.mul(Activation.sigmoid(gate)).mul(up);                // silu(gate) ⊙ up
        return Linear.linear(hidden, Params.value(ps, w2, x, training)).head();    // (B, T, dModel)
    }
}
