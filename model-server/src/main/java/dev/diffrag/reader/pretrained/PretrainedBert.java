package dev.diffrag.reader.pretrained;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.core.Embedding;
import ai.djl.nn.norm.LayerNorm;
import dev.diffrag.model.Autograd;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A pretrained BERT-family encoder (bge-small-en-v1.5, all-MiniLM-L6-v2) rebuilt on DJL from the weights of its ONNX
 * file, so that its layers can run up to any depth and its top layers can be fine-tuned (see
 * {@link dev.diffrag.reader.ReaderConfig.Input#tunedLayers()}). Its last layer's output equals onnxruntime's run of the
 * same file (tested).
 *
 * <pre>
 * ids (W, L) ──word + position + token-type(0) embeddings, LayerNorm──> (W, L, 384) ──layer 0 … layer n−1──> (W, L, 384)
 * </pre>
 */
public final class PretrainedBert implements AutoCloseable {

    /** Hidden width of both encoders. */
    public static final int WIDTH = 384;
    /** Attention heads of both encoders. */
    public static final int HEADS = 12;
    /** Feed-forward width of both encoders. */
    public static final int INTERMEDIATE = 1536;

    private final Map<String, OnnxWeights.Tensor> tensors;
    private final NDManager manager;
    private final Map<String, NDArray> weights = new HashMap<>();
    private final int layers;

    private PretrainedBert(Map<String, OnnxWeights.Tensor> tensors, Device device) {
        this.tensors = tensors;
        this.manager = NDManager.newBaseManager(device);
        tensors.forEach((name, tensor) -> weights.put(name, manager.create(tensor.values(), new Shape(tensor.shape()))));
        int count = 0;
        while (tensors.containsKey(layerPrefix(count) + BertLayer.WEIGHTS.get(0))) {
            count++;
        }
        this.layers = count;
        for (String name : List.of("embeddings.word_embeddings.weight", "embeddings.position_embeddings.weight",
                "embeddings.token_type_embeddings.weight", "embeddings.LayerNorm.weight", "embeddings.LayerNorm.bias")) {
            if (!weights.containsKey(name)) {
                throw new IllegalStateException("not a BERT encoder: no " + name);
            }
        }
    }

    /** The encoder in the ONNX file on the classpath at {@code resource}, on {@code device}. */
    public static PretrainedBert load(String resource, Device device) {
        return new PretrainedBert(OnnxWeights.readResource(resource), device);
    }

    /** Encoder layers. */
    public int layers() {
        return layers;
    }

    private static String layerPrefix(int layer) {
        return "encoder.layer." + layer + ".";
    }

    /** The weights of one layer by their {@link BertLayer#WEIGHTS} names, to initialise a fine-tuned copy. */
    public Map<String, OnnxWeights.Tensor> layerWeights(int layer) {
        Map<String, OnnxWeights.Tensor> result = new HashMap<>();
        for (String name : BertLayer.WEIGHTS) {
            result.put(name, tensors.get(layerPrefix(layer) + name));
        }
        return result;
    }

    /**
     * Hidden states after the first {@code depth} layers (0: the embeddings) of each window, every position included
     * ([CLS], [SEP]); a window is the full id sequence the encoder reads, at most the position table's length.
     * Windows run in batches of similar length with autograd off.
     *
     * @return per window (its length, {@value #WIDTH})
     */
    public List<float[][]> hiddenStates(List<int[]> windows, int depth) {
        return meanHiddenStates(windows, depth, 1);
    }

    /**
     * The mean of the hidden states after layers {@code depth − averaged + 1} … {@code depth} of each window, laid out
     * like {@link #hiddenStates}; {@code averaged} 1 gives the states after {@code depth} layers.
     */
    public List<float[][]> meanHiddenStates(List<int[]> windows, int depth, int averaged) {
        if (depth < 0 || depth > layers) {
            throw new IllegalArgumentException("depth " + depth + " outside 0.." + layers);
        }
        if (averaged < 1 || averaged > depth + 1) {
            throw new IllegalArgumentException("cannot average " + averaged + " states at depth " + depth);
        }
        Integer[] order = new Integer[windows.size()];
        Arrays.setAll(order, i -> i);
        Arrays.sort(order, (a, b) -> Integer.compare(windows.get(a).length, windows.get(b).length));
        float[][][] result = new float[windows.size()][][];
        int batch = 16;
        for (int from = 0; from < order.length; from += batch) {
            List<Integer> run = Arrays.asList(order).subList(from, Math.min(order.length, from + batch));
            float[][][] states = Autograd.off(() -> run(run.stream().map(windows::get).toList(), depth, averaged));
            for (int i = 0; i < run.size(); i++) {
                result[run.get(i)] = states[i];
            }
        }
        return Arrays.asList(result);
    }

    private float[][][] run(List<int[]> windows, int depth, int averaged) {
        int length = windows.stream().mapToInt(w -> w.length).max().orElse(0);
        int count = windows.size();
        int[] ids = new int[count * length];
        float[] mask = new float[count * length];
        for (int w = 0; w < count; w++) {
            System.arraycopy(windows.get(w), 0, ids, w * length, windows.get(w).length);
            Arrays.fill(mask, w * length, w * length + windows.get(w).length, 1f);
        }
        try (NDManager scope = manager.newSubManager()) {
            NDArray idArray = scope.create(ids, new Shape(count, length));
            NDArray maskArray = scope.create(mask, new Shape(count, length));
            NDArray x = embed(idArray);
            NDArray sum = depth < averaged ? x : null; // depth 0 averages the embeddings alone
            for (int layer = 0; layer < depth; layer++) {
                String prefix = layerPrefix(layer);
                x = BertLayer.forward(x, maskArray, HEADS, name -> weights.get(prefix + name));
                if (layer >= depth - averaged) {
                    sum = sum == null ? x : sum.add(x);
                }
            }
            float[] flat = sum.div(averaged).toFloatArray();
            float[][][] states = new float[count][][];
            for (int w = 0; w < count; w++) {
                states[w] = new float[windows.get(w).length][WIDTH];
                for (int t = 0; t < states[w].length; t++) {
                    System.arraycopy(flat, (w * length + t) * WIDTH, states[w][t], 0, WIDTH);
                }
            }
            return states;
        }
    }

    /** ids (W, L) → (W, L, WIDTH): word + position + token type 0, then LayerNorm. */
    private NDArray embed(NDArray ids) {
        long length = ids.getShape().get(1);
        NDArray words = Embedding.embedding(ids.toType(DataType.INT64, false),
                weights.get("embeddings.word_embeddings.weight"), SparseFormat.DENSE).head();            // (W, L, WIDTH)
        NDArray positions = weights.get("embeddings.position_embeddings.weight").get("0:" + length); // (L, WIDTH)
        NDArray type = weights.get("embeddings.token_type_embeddings.weight").get("0:1");             // (1, WIDTH)
        // A slice lives on its array's manager, the encoder's: each run would leave both there until it closed.
        positions.attach(ids.getManager());
        type.attach(ids.getManager());
        NDArray x = words.add(positions).add(type);
        return LayerNorm.layerNorm(x, new Shape(WIDTH), weights.get("embeddings.LayerNorm.weight"),
                weights.get("embeddings.LayerNorm.bias"), 1e-12f).head();
    }

    /** The manager of the weights (for tests: what a run leaves on it stays until the encoder closes). */
    NDManager manager() {
        return manager;
    }

    @Override
    public void close() {
        manager.close();
    }
}
