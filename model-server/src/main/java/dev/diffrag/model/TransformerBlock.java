package dev.diffrag.model;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import java.util.ArrayList;
import java.util.List;

/** Pre-norm block: x = x + Attn(RMSNorm(x)); x = x + SwiGLU(RMSNorm(x)). */
final class TransformerBlock {

    private final RmsNorm attnNorm;
    private final Attention attention;
    private final RmsNorm ffnNorm;
    private final SwiGlu ffn;

    TransformerBlock(ModelConfig config, int layerIndex) {
        String prefix = "layers." + layerIndex;
        this.attnNorm = new RmsNorm(prefix + ".attn_norm", config.dModel(), config.normEps());
        this.attention = Attention.create(config, layerIndex, prefix + ".attn");
        this.ffnNorm = new RmsNorm(prefix + ".ffn_norm", config.dModel(), config.normEps());
        this.ffn = new SwiGlu(prefix + ".ffn", config.dModel(), config.ffnHidden());
    }

    Attention attention() {
        return attention;
    }

    List<Parameter> parameters() {
        List<Parameter> all = new ArrayList<>();
        all.add(attnNorm.weight());
        all.addAll(attention.parameters());
        all.add(ffnNorm.weight());
        all.addAll(ffn.parameters());
        return all;
    }

    /** (B, T, dModel) → (B, T, dModel). */
    NDArray forward(ParameterStore ps, NDArray x, Attention.Context context, boolean training) {
        NDArray h = x.add(attention.forward(ps, attnNorm.forward(ps, x, training), context, training));
        return h.add(ffn.forward(ps, ffnNorm.forward(ps, h, training), training));
    }
}
