package dev.diffrag.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import java.util.List;

/**
 * DIFF V2 as in the authors' {@code Diff-Transformer-V2/multihead_flashdiffv2.py}: one attention over 2h query
 * heads of dim d that share h key/value heads GQA-style (query heads 2i and 2i+1 read KV head i); then
 * out_i = attn_{2i} − sigmoid(λ_t,i)·attn_{2i+1} with λ_t = x·W_λᵀ, one value per token and head. No per-head
 * norm and no (1 − λinit). Computed as (P_{2i} − sigmoid(λ_t,i)·P_{2i+1})·V_i, the same value since the pair
 * shares V_i.
 */
final class DiffAttentionV2 extends Attention {

    private final Parameter qProj;      // (2h·d, dModel)
    private final Parameter kProj;      // (h·d, dModel)
    private final Parameter vProj;      // (h·d, dModel)
    private final Parameter oProj;      // (dModel, h·d)
    private final Parameter lambdaProj; // (h, dModel)

    DiffAttentionV2(ModelConfig config, int layerIndex, String prefix) {
        super(config, layerIndex);
        int width = config.heads() * config.headDim();
        this.qProj = Params.linear(prefix + ".q_proj.weight", 2L * width, config.dModel());
        this.kProj = Params.linear(prefix + ".k_proj.weight", width, config.dModel());
        this.vProj = Params.linear(prefix + ".v_proj.weight", width, config.dModel());
        this.oProj = Params.linear(prefix + ".o_proj.weight", config.dModel(), width);
        this.lambdaProj = Params.linear(prefix + ".lambda_proj.weight", config.heads(), config.dModel());
    }

    @Override
    List<Parameter> parameters() {
        return List.of(qProj, kProj, vProj, oProj, lambdaProj);
    }

    @Override
    NDArray forward(ParameterStore ps, NDArray x, Context context, boolean training) {
        int h = config.heads();
        int d = config.headDim();
        Shape shape = x.getShape();
        long batch = shape.get(0);
        long queries = shape.get(1);

        NDArray q = rotateToHeadsFirst(projectHeads(ps, x, qProj, 2 * h, d, training), context.rotary()); // (B, 2h, T, d)
        NDArray k = rotateToHeadsFirst(projectHeads(ps, x, kProj, h, d, training), context.rotary());     // (B, h, T, d)
        NDArray v = projectHeads(ps, x, vProj, h, d, training).transpose(0, 2, 1, 3);                     // (B, h, T, d)
        NDArray[] kv = withCache(context, k, v);                                                           // (B, h, S, d)
        long keys = kv[0].getShape().get(2);

        NDArray scaled = Scalars.mul(q, Math.pow(d, -0.5));                                 // (B, 2h, T, d)
        NDArray keysT = kv[0].transpose(0, 1, 3, 2);                                        // (B, h, d, S)
        NDArray lambdaT = Linear.linear(x, Params.value(ps, lambdaProj, x, training)).head() // (B, T, h)
                .transpose(0, 2, 1).expandDims(-1);                                         // (B, h, T, 1)
        NDArray weight = Activation.sigmoid(lambdaT.toType(DataType.FLOAT32, false));      // (B, h, T, 1) float32
        NDArray out = byQueryBlocks(context, batch, 2L * h, queries, keys, (from, to, s) -> {
            long t = to - from;
            // Query heads 2i, 2i+1 share KV head i: fold the pair into the query axis instead of repeating K and V.
            NDArray pairedQueries = rows(scaled, from, to).reshape(batch, h, 2 * t, d);      // (B, h, 2t, d)
            NDArray scores = pairedQueries.matMul(firstColumns(keysT, s))
                    .reshape(batch, h, 2, t, s);                                              // (B, h, 2, t, s)
            if (context.probe() != null) {
                probeLogits(context, scores.reshape(batch, 2L * h, t, s)); // (B, 2h, t, s) view, pairs adjacent
            }
            NDArray bias = maskBlock(context.bias(), from, to, s);
            NDArray pairs = softmax32(scores, bias == null ? null : bias.expandDims(1));      // (B, h, 2, t, s) float32
            // attn_even − w·attn_odd = (P_even − w·P_odd)·V because both heads of a pair read the same V: subtracting
            // the maps first halves the P·V product.
            NDArray map = differentialMap(pairs, rows(weight, from, to), training);           // (B, h, t, s) float32
            probe(context, map);
            return map.toType(v.getDataType(), false).matMul(rows(kv[1], 0, s));              // (B, h, t, d)
        });                                                                                    // (B, h, T, d)
        return mergeAndProject(ps, out, oProj, training);                // (B, T, dModel)
    }
}
