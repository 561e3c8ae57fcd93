package dev.diffrag.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import java.util.List;

/**
 * Vanilla multi-head attention, the baseline: H heads of dim d with H·d = dModel, RoPE on q and k, no biases.
 * Same projection shapes as DIFF V1, hence the same parameter budget.
 */
final class MultiHeadAttention extends Attention {

    private final Parameter qProj;   // (H·d, dModel)
    private final Parameter kProj;   // (H·d, dModel)
    private final Parameter vProj;   // (H·d, dModel)
    private final Parameter outProj; // (dModel, H·d)

    MultiHeadAttention(ModelConfig config, int layerIndex, String prefix) {
        super(config, layerIndex);
        int width = config.heads() * config.headDim();
        this.qProj = Params.linear(prefix + ".q_proj.weight", width, config.dModel());
        this.kProj = Params.linear(prefix + ".k_proj.weight", width, config.dModel());
        this.vProj = Params.linear(prefix + ".v_proj.weight", width, config.dModel());
        this.outProj = Params.linear(prefix + ".out_proj.weight", config.dModel(), width);
    }

    @Override
    List<Parameter> parameters() {
        return List.of(qProj, kProj, vProj, outProj);
    }

    @Override
    NDArray forward(ParameterStore ps, NDArray x, Context context, boolean training) {
        int heads = config.heads();
        int d = config.headDim();
        NDArray q = rotateToHeadsFirst(projectHeads(ps, x, qProj, heads, d, training), context.rotary()); // (B, H, T, d)
        NDArray k = rotateToHeadsFirst(projectHeads(ps, x, kProj, heads, d, training), context.rotary()); // (B, H, T, d)
        NDArray v = projectHeads(ps, x, vProj, heads, d, training).transpose(0, 2, 1, 3);                 // (B, H, T, d)
        NDArray[] kv = withCache(context, k, v);                                                           // (B, H, S, d)

        NDArray scaled = Scalars.mul(q, Math.pow(d, -0.5));
        NDArray keysT = kv[0].transpose(0, 1, 3, 2);                                       // (B, H, d, S)
        Shape shape = q.getShape();
        long keys = kv[0].getShape().get(2);
        NDArray out = byQueryBlocks(context, shape.get(0), heads, shape.get(2), keys, (from, to, s) -> {
            NDArray scores = rows(scaled, from, to).matMul(firstColumns(keysT, s));           // (B, H, t, s)
            probeLogits(context, scores);
            NDArray probabilities = softmax32(scores, maskBlock(context.bias(), from, to, s)); // (B, H, t, s) float32
            probe(context, probabilities);
            return probabilities.toType(v.getDataType(), false).matMul(rows(kv[1], 0, s));   // (B, H, t, d)
        });                                                                                   // (B, H, T, d)
        return mergeAndProject(ps, out, outProj, training);                                // (B, T, dModel)
    }
}
