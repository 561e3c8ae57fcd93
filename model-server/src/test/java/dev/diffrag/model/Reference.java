package dev.diffrag.model;

import ai.djl.nn.Parameter;
import java.util.HashMap;
import java.util.Map;

/**
 * A plain-Java float64 implementation of the formulas (one sequence at a time, loops only), fed with a DJL
 * model's own weights. Independent of the DJL code paths: nothing here calls into the model's classes except to
 * read parameter values.
 */
final class Reference {

    private final ModelConfig config;
    private final Map<String, double[]> weights = new HashMap<>();

    Reference(DiffTransformer model) {
        this.config = model.config();
        for (Map.Entry<String, Parameter> entry : model.namedParameters().entrySet()) {
            float[] values = entry.getValue().getArray().toFloatArray();
            double[] copy = new double[values.length];
            for (int i = 0; i < values.length; i++) {
                copy[i] = values[i];
            }
            weights.put(entry.getKey(), copy);
        }
    }

    double[] weight(String name) {
        double[] w = weights.get(name);
        if (w == null) {
            throw new IllegalArgumentException("no parameter " + name);
        }
        return w;
    }

    // ---- whole model ------------------------------------------------------------------------------------------

    /** tokens (T), real (T) → final hidden (T × dModel) or logits (T × vocab) with an LM head. */
    double[][] model(int[] tokens, boolean[] real) {
        int dModel = config.dModel();
        double[] table = weight("embed_tokens.weight");
        double[][] x = new double[tokens.length][dModel];
        for (int t = 0; t < tokens.length; t++) {
            System.arraycopy(table, tokens[t] * dModel, x[t], 0, dModel);
        }
        for (int layer = 0; layer < config.layers(); layer++) {
            x = block(layer, x, real);
        }
        double[][] hidden = rmsNormRows(x, weight("norm.weight"));
        return config.lmHead() ? linear(hidden, table, config.vocabSize()) : hidden;
    }

    /** One pre-norm block: x + Attn(norm(x)), then + SwiGLU(norm(.)). */
    double[][] block(int layer, double[][] x, boolean[] real) {
        String p = "layers." + layer;
        double[][] attn = attention(layer, rmsNormRows(x, weight(p + ".attn_norm.weight")), real);
        double[][] h = add(x, attn);
        double[][] ffn = swiglu(layer, rmsNormRows(h, weight(p + ".ffn_norm.weight")));
        return add(h, ffn);
    }

    double[][] swiglu(int layer, double[][] x) {
        String p = "layers." + layer + ".ffn";
        int hidden = config.ffnHidden();
        double[][] gate = linear(x, weight(p + ".w1.weight"), hidden);
        double[][] up = linear(x, weight(p + ".w3.weight"), hidden);
        for (int t = 0; t < x.length; t++) {
            for (int j = 0; j < hidden; j++) {
                double g = gate[t][j];
                gate[t][j] = g / (1 + Math.exp(-g)) * up[t][j];
            }
        }
        return linear(gate, weight(p + ".w2.weight"), config.dModel());
    }

    // ---- attention --------------------------------------------------------------------------------------------

    /** x (T × dModel) already normalised → (T × dModel). */
    double[][] attention(int layer, double[][] x, boolean[] real) {
        return switch (config.attention()) {
            case VANILLA -> vanilla(layer, x, real);
            case DIFF_V1 -> diffV1(layer, x, real, lambda(layer));
            case DIFF_V2 -> diffV2(layer, x, real);
        };
    }

    double[][] vanilla(int layer, double[][] x, boolean[] real) {
        String p = "layers." + layer + ".attn";
        int heads = config.heads();
        int d = config.headDim();
        double[][] q = rope(linear(x, weight(p + ".q_proj.weight"), heads * d), heads, d);
        double[][] k = rope(linear(x, weight(p + ".k_proj.weight"), heads * d), heads, d);
        double[][] v = linear(x, weight(p + ".v_proj.weight"), heads * d);
        double[][] out = new double[x.length][heads * d];
        for (int head = 0; head < heads; head++) {
            double[][] probabilities = softmaxScores(q, head, k, head, d, real);
            accumulate(out, head * d, probabilities, 1.0, v, head * d, d);
        }
        return linear(out, weight(p + ".out_proj.weight"), config.dModel());
    }

    /** DIFF V1 with an explicit λ (so a test can force it). */
    double[][] diffV1(int layer, double[][] x, boolean[] real, double lambda) {
        String p = "layers." + layer + ".attn";
        int h = config.heads();
        int d = config.headDim();
        double lambdaInit = ModelConfig.lambdaInit(layer + 1);
        double[][] q = rope(linear(x, weight(p + ".q_proj.weight"), 2 * h * d), 2 * h, d);
        double[][] k = rope(linear(x, weight(p + ".k_proj.weight"), 2 * h * d), 2 * h, d);
        double[][] v = linear(x, weight(p + ".v_proj.weight"), 2 * h * d);
        double[] subln = weight(p + ".subln.weight");
        double[][] out = new double[x.length][2 * h * d];
        for (int head = 0; head < h; head++) {
            double[][] first = softmaxScores(q, 2 * head, k, 2 * head, d, real);
            double[][] second = softmaxScores(q, 2 * head + 1, k, 2 * head + 1, d, real);
            double[][] headOut = new double[x.length][2 * d];
            accumulate(headOut, 0, first, 1.0, v, head * 2 * d, 2 * d);
            accumulate(headOut, 0, second, -lambda, v, head * 2 * d, 2 * d);
            for (int t = 0; t < x.length; t++) {
                double[] normed = rmsNorm(headOut[t], subln);
                for (int c = 0; c < 2 * d; c++) {
                    out[t][head * 2 * d + c] = normed[c] * (1 - lambdaInit);
                }
            }
        }
        return linear(out, weight(p + ".out_proj.weight"), config.dModel());
    }

    /** λ = exp(λq1·λk1) − exp(λq2·λk2) + λinit. */
    double lambda(int layer) {
        String p = "layers." + layer + ".attn";
        return Math.exp(dot(weight(p + ".lambda_q1"), weight(p + ".lambda_k1")))
                - Math.exp(dot(weight(p + ".lambda_q2"), weight(p + ".lambda_k2")))
                + ModelConfig.lambdaInit(layer + 1);
    }

    double[][] diffV2(int layer, double[][] x, boolean[] real) {
        String p = "layers." + layer + ".attn";
        int h = config.heads();
        int d = config.headDim();
        double[][] q = rope(linear(x, weight(p + ".q_proj.weight"), 2 * h * d), 2 * h, d);
        double[][] k = rope(linear(x, weight(p + ".k_proj.weight"), h * d), h, d);
        double[][] v = linear(x, weight(p + ".v_proj.weight"), h * d);
        double[][] lambdaT = linear(x, weight(p + ".lambda_proj.weight"), h);
        double[][] out = new double[x.length][h * d];
        for (int head = 0; head < h; head++) {
            double[][] even = new double[x.length][d];
            double[][] odd = new double[x.length][d];
            accumulate(even, 0, softmaxScores(q, 2 * head, k, head, d, real), 1.0, v, head * d, d);
            accumulate(odd, 0, softmaxScores(q, 2 * head + 1, k, head, d, real), 1.0, v, head * d, d);
            for (int t = 0; t < x.length; t++) {
                double weight = 1 / (1 + Math.exp(-lambdaT[t][head]));
                for (int c = 0; c < d; c++) {
                    out[t][head * d + c] = even[t][c] - weight * odd[t][c];
                }
            }
        }
        return linear(out, weight(p + ".o_proj.weight"), config.dModel());
    }

    /** Row-wise softmax(q_t·k_s/√d) of one query head against one key head, with causal and padding masks. */
    double[][] softmaxScores(double[][] q, int qHead, double[][] k, int kHead, int d, boolean[] real) {
        int length = q.length;
        double[][] probabilities = new double[length][length];
        for (int t = 0; t < length; t++) {
            double max = Double.NEGATIVE_INFINITY;
            for (int s = 0; s < length; s++) {
                if (visible(t, s, real)) {
                    double score = 0;
                    for (int c = 0; c < d; c++) {
                        score += q[t][qHead * d + c] * k[s][kHead * d + c];
                    }
                    probabilities[t][s] = score / Math.sqrt(d);
                    max = Math.max(max, probabilities[t][s]);
                }
            }
            double sum = 0;
            for (int s = 0; s < length; s++) {
                probabilities[t][s] = visible(t, s, real) ? Math.exp(probabilities[t][s] - max) : 0;
                sum += probabilities[t][s];
            }
            for (int s = 0; s < length; s++) {
                probabilities[t][s] /= sum;
            }
        }
        return probabilities;
    }

    private boolean visible(int query, int key, boolean[] real) {
        return real[key] && !(config.causal() && key > query);
    }

    /** out[t][outOffset + c] += scale · Σ_s p[t][s] · v[s][vOffset + c]. */
    private static void accumulate(double[][] out, int outOffset, double[][] p, double scale, double[][] v,
                                   int vOffset, int width) {
        for (int t = 0; t < p.length; t++) {
            for (int s = 0; s < p[t].length; s++) {
                double weight = scale * p[t][s];
                for (int c = 0; c < width; c++) {
                    out[t][outOffset + c] += weight * v[s][vOffset + c];
                }
            }
        }
    }

    // ---- primitives -------------------------------------------------------------------------------------------

    /** Interleaved rotary embedding at positions 0 .. T−1 on (T × heads·d). */
    double[][] rope(double[][] x, int heads, int d) {
        double[][] out = new double[x.length][];
        for (int t = 0; t < x.length; t++) {
            out[t] = x[t].clone();
            for (int head = 0; head < heads; head++) {
                for (int j = 0; j < d / 2; j++) {
                    double angle = t * Math.pow(config.ropeTheta(), -2.0 * j / d);
                    int i = head * d + 2 * j;
                    double a = x[t][i];
                    double b = x[t][i + 1];
                    out[t][i] = a * Math.cos(angle) - b * Math.sin(angle);
                    out[t][i + 1] = a * Math.sin(angle) + b * Math.cos(angle);
                }
            }
        }
        return out;
    }

    double[] rmsNorm(double[] x, double[] gain) {
        double meanSquare = 0;
        for (double value : x) {
            meanSquare += value * value;
        }
        meanSquare /= x.length;
        double scale = 1 / Math.sqrt(meanSquare + config.normEps());
        double[] out = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = x[i] * scale * gain[i];
        }
        return out;
    }

    private double[][] rmsNormRows(double[][] x, double[] gain) {
        double[][] out = new double[x.length][];
        for (int t = 0; t < x.length; t++) {
            out[t] = rmsNorm(x[t], gain);
        }
        return out;
    }

    /** x (T × in) times Wᵀ with W stored (out × in) row-major. */
    static double[][] linear(double[][] x, double[] w, int out) {
        int in = x[0].length;
        if (w.length != out * in) {
            throw new IllegalArgumentException("weight of " + w.length + " values is not " + out + "×" + in);
        }
        double[][] y = new double[x.length][out];
        for (int t = 0; t < x.length; t++) {
            for (int o = 0; o < out; o++) {
                double sum = 0;
                for (int i = 0; i < in; i++) {
                    sum += x[t][i] * w[o * in + i];
                }
                y[t][o] = sum;
            }
        }
        return y;
    }

    private static double[][] add(double[][] a, double[][] b) {
        double[][] out = new double[a.length][a[0].length];
        for (int t = 0; t < a.length; t++) {
            for (int c = 0; c < a[t].length; c++) {
                out[t][c] = a[t][c] + b[t][c];
            }
        }
        return out;
    }

    private static double dot(double[] a, double[] b) {
        double sum = 0;
        for (int i = 0; i < a.length; i++) {
            sum += a[i] * b[i];
        }
        return sum;
    }
}
