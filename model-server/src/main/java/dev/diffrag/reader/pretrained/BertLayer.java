package dev.diffrag.reader.pretrained;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.norm.LayerNorm;
import java.util.List;
import java.util.function.Function;

/**
 * One BERT encoder layer (Devlin et al. 2019), post-LayerNorm as in Hugging Face's {@code BertLayer}, whose weight
 * names it keeps: self-attention → residual → LayerNorm → GELU feed-forward → residual → LayerNorm. Matrices are
 * (in, out), the layout of the ONNX export ({@link OnnxWeights}).
 */
public final class BertLayer {

    /** LayerNorm epsilon of BERT-family checkpoints. */
    private static final float EPS = 1e-12f;

    /** Every weight of a layer, relative to its {@code encoder.layer.i.} prefix. */
    public static final List<String> WEIGHTS = List.of(
            "attention.self.query.weight", "attention.self.query.bias",
            "attention.self.key.weight", "attention.self.key.bias",
            "attention.self.value.weight", "attention.self.value.bias",
            "attention.output.dense.weight", "attention.output.dense.bias",
            "attention.output.LayerNorm.weight", "attention.output.LayerNorm.bias",
            "intermediate.dense.weight", "intermediate.dense.bias",
            "output.dense.weight", "output.dense.bias",
            "output.LayerNorm.weight", "output.LayerNorm.bias");

    private BertLayer() {}

    /** The shape of weight {@code name} in a layer of the given width and feed-forward size. */
    public static Shape shape(String name, int width, int intermediate) {
        if (name.equals("intermediate.dense.weight")) {
            return new Shape(width, intermediate);
        }
        if (name.equals("intermediate.dense.bias")) {
            return new Shape(intermediate);
        }
        if (name.equals("output.dense.weight")) {
            return new Shape(intermediate, width);
        }
        return name.endsWith(".weight") && !name.contains("LayerNorm") ? new Shape(width, width) : new Shape(width);
    }

    /**
     * x (W, L, width), mask (W, L) with 1 at real tokens → (W, L, width); {@code weight} maps a name of
     * {@link #WEIGHTS} to its value.
     */
    public static NDArray forward(NDArray x, NDArray mask, int heads, Function<String, NDArray> weight) {
        long windows = x.getShape().get(0);
        long length = x.getShape().get(1);
        long width = x.getShape().get(2);
        long headDim = width / heads;
        NDArray q = split(dense(x, weight, "attention.self.query"), heads);  // (W, H, L, hd)
        NDArray k = split(dense(x, weight, "attention.self.key"), heads);    // (W, H, L, hd)
        NDArray v = split(dense(x, weight, "attention.self.value"), heads);  // (W, H, L, hd)
        NDArray padding = mask.toType(q.getDataType(), false).sub(1).mul(1e9f)
                .reshape(windows, 1, 1, length); // 0 at real keys, −1e9 at padding
        NDArray scores = q.matMul(k.transpose(0, 1, 3, 2)).div((float) Math.sqrt(headDim)).add(padding); // (W,H,L,L)
        NDArray context = scores.softmax(-1).matMul(v).transpose(0, 2, 1, 3)
                .reshape(windows, length, width);                                        // (W, L, width)
        NDArray attended = norm(x.add(dense(context, weight, "attention.output.dense")), weight,
                "attention.output.LayerNorm");
        NDArray hidden = Activation.gelu(dense(attended, weight, "intermediate.dense")); // (W, L, intermediate)
        return norm(attended.add(dense(hidden, weight, "output.dense")), weight, "output.LayerNorm");
    }

    private static NDArray dense(NDArray x, Function<String, NDArray> weight, String name) {
        return x.matMul(weight.apply(name + ".weight")).add(weight.apply(name + ".bias"));
    }

    /** (W, L, width) → (W, H, L, width / H). */
    private static NDArray split(NDArray x, int heads) {
        Shape shape = x.getShape();
        return x.reshape(shape.get(0), shape.get(1), heads, shape.get(2) / heads).transpose(0, 2, 1, 3);
    }

    private static NDArray norm(NDArray x, Function<String, NDArray> weight, String name) {
        return LayerNorm.layerNorm(x, new Shape(x.getShape().get(2)), weight.apply(name + ".weight"),
                weight.apply(name + ".bias"), EPS).head();
    }
}
