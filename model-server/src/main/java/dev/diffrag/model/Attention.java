package dev.diffrag.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Linear;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.ParameterStore;
import java.util.ArrayList;
import java.util.List;

/** One attention layer of a {@link TransformerBlock}; the three kinds share the helpers below. */
abstract class Attention {

    /** What every layer of one forward pass shares: positions, mask, cache and probe. */
    record Context(Rotary rotary, NDArray bias, KvCache cache, AttentionProbe probe) {}

    final ModelConfig config;
    final int layerIndex; // 0-based; the paper's layer l = layerIndex + 1

    Attention(ModelConfig config, int layerIndex) {
        this.config = config;
        this.layerIndex = layerIndex;
    }

    static Attention create(ModelConfig config, int layerIndex, String prefix) {
        return switch (config.attention()) {
            case DIFF_V1 -> new DiffAttentionV1(config, layerIndex, prefix);
            case DIFF_V2 -> new DiffAttentionV2(config, layerIndex, prefix);
            case VANILLA -> new MultiHeadAttention(config, layerIndex, prefix);
        };
    }

    abstract List<Parameter> parameters();

    /** (B, T, dModel) → (B, T, dModel). */
    abstract NDArray forward(ParameterStore ps, NDArray x, Context context, boolean training);

    /** x·Wᵀ split into heads: (B, T, dModel) → (B, T, heads, dim). */
    static NDArray projectHeads(ParameterStore ps, NDArray x, Parameter weight, int heads, int dim,
                                boolean training) {
        Shape shape = x.getShape();
        return Linear.linear(x, Params.value(ps, weight, x, training)).head()
                .reshape(shape.get(0), shape.get(1), heads, dim);
    }

    /** Applies the rotary embedding and moves heads forward: (B, T, H, d) → (B, H, T, d). */
    static NDArray rotateToHeadsFirst(NDArray x, Rotary rotary) {
        return rotary.apply(x).transpose(0, 2, 1, 3);
    }

    /** Score-map elements per block of query rows (see {@link #byQueryBlocks}): 8 MiB of float32. */
    static final long BLOCK_ELEMENTS = 1L << 21;
    /** Fewer rows per block cost more in per-operation overhead and small products than the cache saves. */
    static final long MIN_BLOCK_ROWS = 64;

    /** The attention output of query rows [from, to) over keys [0, keyLimit): (B, heads, to − from, dv). */
    @FunctionalInterface
    interface RowAttention {
        NDArray attend(long from, long to, long keyLimit);
    }

    /**
     * Query rows per block: a block's (B, queryHeads, rows, S) score map holds about BLOCK_ELEMENTS. An empty batch
     * or sequence (B or S = 0) has empty maps, which any block size fits.
     */
    static long rowsPerBlock(long batch, long queryHeads, long keys) {
        return Math.max(MIN_BLOCK_ROWS, BLOCK_ELEMENTS / Math.max(1, batch * queryHeads * keys));
    }

    /**
     * Attention over blocks of query rows, concatenated along the query axis: (B, heads, T, dv). Each row's softmax
     * still runs over all of its keys, so the result (and its gradient) is the one-block result. The mask, softmax
     * and differential passes over the score maps, forward and backward, are memory-bound on a CPU, and maps of tens
     * of MiB are fresh memory on every call; blocks of a few MiB stay in cache and reuse it (model-server/README.md,
     * Benchmark). In causal mode a block reads only the keys up to its last query: the keys after it are masked for
     * every row of the block, so leaving them out changes nothing but the work. A probe, which records the maps of a
     * whole pass, gets one block.
     *
     * @param queryHeads the score maps' heads: H for vanilla, 2h for V1 and V2
     * @param keys       S, the keys of the pass: the cached ones, then the T new ones
     */
    NDArray byQueryBlocks(Context context, long batch, long queryHeads, long queries, long keys, RowAttention rows) {
        long block = rowsPerBlock(batch, queryHeads, keys);
        if (context.probe() != null || queries <= block) {
            return rows.attend(0, queries, keys);
        }
        boolean freeEachBlock = freesEachBlock(JniUtils.isGradMode(), batch * queryHeads * queries * keys);
        List<NDArray> blocks = new ArrayList<>();
        for (long from = 0; from < queries; from += block) {
            long to = Math.min(queries, from + block);
            long keyLimit = config.causal() ? keys - queries + to : keys;
            if (!freeEachBlock) {
                blocks.add(rows.attend(from, to, keyLimit)); // the maps live until the caller's manager closes
                continue;
            }
            try (NDScope scope = new NDScope()) {
                NDArray output = rows.attend(from, to, keyLimit);
                NDScope.unregister(output);
                blocks.add(output);
            }
        }
        return NDArrays.concat(new NDList(blocks), 2);
    }

    /** One layer's score maps, in elements, above which an inference pass frees each block's maps at once. */
    static final long FREE_BLOCKS_ABOVE_ELEMENTS = 1L << 28;

    /**
     * Whether {@link #byQueryBlocks} frees each block's maps as soon as the block's output exists. Backward needs
     * them all, so never while autograd records. In inference they are garbage then, and a reader batch of 8 inputs of
     * 4,096 positions holds 4 GiB of maps per map array and layer until the pass ends; but freeing every few MiB
     * makes the C allocator return and fault in memory block after block, which measured 2–3× slower at the
     * benchmark's sizes (model-server/README.md, Benchmark). So only a pass whose maps would take more than 1 GiB of
     * float32 per layer frees them block by block.
     *
     * @param mapElements B · query heads · T · S, one layer's score maps
     */
    static boolean freesEachBlock(boolean recording, long mapElements) {
        return !recording && mapElements > FREE_BLOCKS_ABOVE_ELEMENTS;
    }

    /** Rows [from, to) of axis 2 of x (B, H, T, …); x itself when that axis has one row (broadcast) or x is null. */
    static NDArray rows(NDArray x, long from, long to) {
        if (x == null || x.getShape().get(2) == 1 || (from == 0 && to == x.getShape().get(2))) {
            return x;
        }
        return x.get(new NDIndex(":, :, {}:{}", from, to));
    }

    /** The first {@code limit} entries of x's last axis; x itself when that is all of it or x is null. */
    static NDArray firstColumns(NDArray x, long limit) {
        if (x == null || limit == x.getShape().getLastDimension()) {
            return x;
        }
        return x.get(new NDIndex("..., :{}", limit));
    }

    /** Rows [from, to) and keys [0, keyLimit) of a mask (B or 1, 1, T or 1, S); null stays null. */
    static NDArray maskBlock(NDArray bias, long from, long to, long keyLimit) {
        return firstColumns(rows(bias, from, to), keyLimit);
    }

    /** Appends this layer's keys and values to the cache when decoding incrementally; returns all keys/values. */
    NDArray[] withCache(Context context, NDArray keys, NDArray values) {
        if (context.cache() == null) {
            return new NDArray[] {keys, values};
        }
        var all = context.cache().append(layerIndex, keys, values);
        return new NDArray[] {all.get(0), all.get(1)};
    }

    /**
     * Softmax over keys in float32 after adding the mask. scores (..., T, S), a fresh matmul result that this
     * overwrites (the mask is added in place: one T×S pass less, and safe for autograd since a matmul's backward
     * needs its inputs, not its output); bias broadcastable to it or null. Returns float32 probabilities.
     */
    static NDArray softmax32(NDArray scores, NDArray bias) {
        NDArray logits = scores.toType(DataType.FLOAT32, false);
        if (bias != null) {
            logits = logits.addi(bias);
        }
        return logits.softmax(-1);
    }

    /**
     * The differential map P_first − w·P_second from softmax pairs (B, h, 2, T, S), w a scalar (V1's λ) or
     * (B, h, T, 1) (V2's sigmoid(λ_t)). Training keeps the softmax output intact (its backward needs it) and adds
     * in place to the fresh product −w·P_second; inference overwrites the softmax buffer instead, so no T×S array
     * is allocated beyond what vanilla attention allocates.
     */
    static NDArray differentialMap(NDArray pairs, NDArray weight, boolean training) {
        NDArray first = pairs.get(":, :, 0");  // (B, h, T, S) view
        NDArray second = pairs.get(":, :, 1"); // (B, h, T, S) view
        if (training) {
            return second.mul(weight.neg()).addi(first);
        }
        return first.subi(second.muli(weight));
    }

    /** (B, H, T, dv) → (B, T, H·dv) → out projection (B, T, dModel). */
    static NDArray mergeAndProject(ParameterStore ps, NDArray heads, Parameter outWeight, boolean training) {
        Shape shape = heads.getShape();
        NDArray merged = heads.transpose(0, 2, 1, 3)
                .reshape(shape.get(0), shape.get(2), shape.get(1) * shape.get(3)); // (B, T, H·dv)
        return Linear.linear(merged, Params.value(ps, outWeight, merged, training)).head();
    }

    /** Hands the pre-softmax logits (B, heads, T, S) to the probe, if any. */
    void probeLogits(Context context, NDArray logits) {
        if (context.probe() != null) {
            context.probe().recordLogits(layerIndex, logits);
        }
    }

    void probe(Context context, NDArray map) {
        if (context.probe() != null) {
            context.probe().record(layerIndex, map);
        }
    }
}
