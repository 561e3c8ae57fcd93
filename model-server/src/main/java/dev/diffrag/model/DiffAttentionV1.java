package dev.diffrag.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import java.util.List;

/**
 * Differential attention as in the paper (arXiv 2410.05258 §2) and the reference {@code multihead_diffattn.py}.
 * With h = dModel/(2d) heads: q, k → 2h heads of dim d, v → h heads of dim 2d; query/key heads 2i and 2i+1 form
 * head i's pair; A_i = softmax(Q1K1ᵀ/√d) − λ·softmax(Q2K2ᵀ/√d); out_i = RMSNorm(A_i·V_i)·(1 − λinit).
 */
final class DiffAttentionV1 extends Attention {

    /** Standard deviation of the λ vectors at initialisation, as in the reference code. */
    static final float LAMBDA_STD = 0.1f;

    private final Parameter qProj;   // (2h·d, dModel)
    private final Parameter kProj;   // (2h·d, dModel)
    private final Parameter vProj;   // (h·2d, dModel)
    private final Parameter outProj; // (dModel, h·2d)
    private final Parameter lambdaQ1; // (d)
    private final Parameter lambdaK1; // (d)
    private final Parameter lambdaQ2; // (d)
    private final Parameter lambdaK2; // (d)
    private final RmsNorm subln;       // over each head's 2d channels
    private final double lambdaInit;

    DiffAttentionV1(ModelConfig config, int layerIndex, String prefix) {
        super(config, layerIndex);
        int d = config.headDim();
        int width = 2 * config.heads() * d;
        this.qProj = Params.linear(prefix + ".q_proj.weight", width, config.dModel());
        this.kProj = Params.linear(prefix + ".k_proj.weight", width, config.dModel());
        this.vProj = Params.linear(prefix + ".v_proj.weight", width, config.dModel());
        this.outProj = Params.linear(prefix + ".out_proj.weight", config.dModel(), width);
        this.lambdaQ1 = Params.normalVector(prefix + ".lambda_q1", d, LAMBDA_STD);
        this.lambdaK1 = Params.normalVector(prefix + ".lambda_k1", d, LAMBDA_STD);
        this.lambdaQ2 = Params.normalVector(prefix + ".lambda_q2", d, LAMBDA_STD);
        this.lambdaK2 = Params.normalVector(prefix + ".lambda_k2", d, LAMBDA_STD);
        this.subln = new RmsNorm(prefix + ".subln", 2L * d, config.normEps());
        this.lambdaInit = ModelConfig.lambdaInit(layerIndex + 1);
    }

    @Override
    List<Parameter> parameters() {
        return List.of(qProj, kProj, vProj, outProj, lambdaQ1, lambdaK1, lambdaQ2, lambdaK2, subln.weight());
    }

    double lambdaInit() {
        return lambdaInit;
    }

    /** λ = exp(λq1·λk1) − exp(λq2·λk2) + λinit: a float32 scalar shared by all heads of the layer. */
    NDArray lambda(ParameterStore ps, NDArray like, boolean training) {
        NDArray first = dot32(ps, lambdaQ1, lambdaK1, like, training).exp();
        NDArray second = dot32(ps, lambdaQ2, lambdaK2, like, training).exp();
        return first.sub(second).add((float) lambdaInit); // ()
    }

    @Override
    NDArray forward(ParameterStore ps, NDArray x, Context context, boolean training) {
        int h = config.heads();
        int d = config.headDim();
        Shape shape = x.getShape();
        long batch = shape.get(0);
        long queries = shape.get(1);

        NDArray q = rotateToHeadsFirst(projectHeads(ps, x, qProj, 2 * h, d, training), context.rotary()); // (B, 2h, T, d)
        NDArray k = rotateToHeadsFirst(projectHeads(ps, x, kProj, 2 * h, d, training), context.rotary()); // (B, 2h, T, d)
        NDArray v = projectHeads(ps, x, vProj, h, 2 * d, training).transpose(0, 2, 1, 3);                 // (B, h, T, 2d)
        NDArray[] kv = withCache(context, k, v);                                   // (B, 2h, S, d), (B, h, S, 2d)
        long keys = kv[0].getShape().get(2);

        NDArray scaled = Scalars.mul(q, Math.pow(d, -0.5));
        NDArray keysT = kv[0].transpose(0, 1, 3, 2);                                         // (B, 2h, d, S)
        NDArray lambda = lambda(ps, x, training);                                            // ()
        NDArray out = byQueryBlocks(context, batch, 2L * h, queries, keys, (from, to, s) -> {
            NDArray scores = rows(scaled, from, to).matMul(firstColumns(keysT, s));            // (B, 2h, t, s)
            probeLogits(context, scores);
            NDArray pairs = softmax32(scores, maskBlock(context.bias(), from, to, s))
                    .reshape(batch, h, 2, to - from, s);                                      // (B, h, 2, t, s)
            NDArray map = differentialMap(pairs, lambda, training);                           // (B, h, t, s) float32
            probe(context, map);
            return map.toType(v.getDataType(), false).matMul(rows(kv[1], 0, s));             // (B, h, t, 2d)
        });                                                                                   // (B, h, T, 2d)
        out = Scalars.mul(subln.forward(ps, out, training), 1 - lambdaInit);                 // (B, h, T, 2d)
        return mergeAndProject(ps, out, outProj, training);                      // (B, T, dModel)
    }

    private static NDArray dot32(ParameterStore ps, Parameter a, Parameter b, NDArray like, boolean training) {
        NDArray product = Params.float32(ps, a, like, training).mul(Params.float32(ps, b, like, training)); // (d)
        product.attach(like.getManager()); // a temporary of this pass, not of the parameters' manager
        return product.sum();
    }
}
