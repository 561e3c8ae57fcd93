package dev.diffrag.model.train;

import ai.djl.ndarray.types.DataType;

/**
 * Hyper-parameters of one training run.
 *
 * @param learningRate peak learning rate, reached at the end of warm-up
 * @param minLearningRate where the cosine decay ends, at {@code totalSteps}
 * @param warmupSteps updates of linear warm-up from 0 to {@code learningRate}
 * @param totalSteps updates in the whole run
 * @param weightDecay decoupled AdamW decay, applied to matrices only (not to norm gains or λ vectors)
 * @param beta1 AdamW first-moment decay
 * @param beta2 AdamW second-moment decay
 * @param eps AdamW denominator term
 * @param gradClipNorm clip gradients to this global L2 norm; 0 disables clipping
 * @param seed seeds the engine (initialisation) and the data order
 * @param batchSize examples per update (read by batch sources such as {@link ShuffledBatches})
 * @param checkpointEvery write a checkpoint every this many updates and at the end; 0 writes none
 * @param logEvery log a progress line every this many updates
 * @param dtype the data type the model was initialised in: FLOAT32 anywhere, BFLOAT16 only on CUDA (DJL 0.33's
 *     PyTorch engine aborts on BF16 arrays on the CPU); AdamW keeps FLOAT32 master weights and moments either way
 */
public record TrainingConfig(
        double learningRate,
        double minLearningRate,
        int warmupSteps,
        int totalSteps,
        double weightDecay,
        double beta1,
        double beta2,
        double eps,
        double gradClipNorm,
        int seed,
        int batchSize,
        int checkpointEvery,
        int logEvery,
        DataType dtype) {

    public TrainingConfig {
        require(learningRate > 0 && minLearningRate >= 0 && minLearningRate <= learningRate,
                "need 0 <= minLearningRate <= learningRate and learningRate > 0");
        require(totalSteps > 0 && warmupSteps >= 0 && warmupSteps <= totalSteps,
                "need totalSteps > 0 and 0 <= warmupSteps <= totalSteps");
        require(weightDecay >= 0 && gradClipNorm >= 0 && eps > 0, "need weightDecay >= 0, gradClipNorm >= 0, eps > 0");
        require(beta1 >= 0 && beta1 < 1 && beta2 >= 0 && beta2 < 1, "betas must lie in [0, 1)");
        require(batchSize > 0 && checkpointEvery >= 0 && logEvery > 0,
                "need batchSize > 0, checkpointEvery >= 0, logEvery > 0");
        require(dtype == DataType.FLOAT32 || dtype == DataType.BFLOAT16, "dtype must be FLOAT32 or BFLOAT16");
    }

    /**
     * The paper's optimiser settings (AdamW β = (0.9, 0.95), ε = 1e-8, weight decay 0.1, clipping at 1.0, cosine decay
     * to a tenth of the peak) for a FLOAT32 run with the given schedule and batch size; no checkpoints.
     */
    public static TrainingConfig of(double learningRate, int warmupSteps, int totalSteps, int batchSize, int seed) {
        return new TrainingConfig(learningRate, learningRate / 10, warmupSteps, totalSteps, 0.1, 0.9, 0.95, 1e-8, 1.0,
                seed, batchSize, 0, Math.max(1, totalSteps / 20), DataType.FLOAT32);
    }

    /** This configuration writing a checkpoint every {@code steps} updates. */
    public TrainingConfig withCheckpointEvery(int steps) {
        return new TrainingConfig(learningRate, minLearningRate, warmupSteps, totalSteps, weightDecay, beta1, beta2,
                eps, gradClipNorm, seed, batchSize, steps, logEvery, dtype);
    }

    /** This configuration with another initialisation and batch-order seed. */
    public TrainingConfig withSeed(int newSeed) {
        return new TrainingConfig(learningRate, minLearningRate, warmupSteps, totalSteps, weightDecay, beta1, beta2,
                eps, gradClipNorm, newSeed, batchSize, checkpointEvery, logEvery, dtype);
    }

    /**
     * Learning rate of update number {@code step} (1-based): linear warm-up {@code learningRate · step / warmupSteps},
     * then cosine decay from {@code learningRate} at the end of warm-up to {@code minLearningRate} at
     * {@code totalSteps}.
     */
    public double learningRateAt(long step) {
        if (step < 1 || step > totalSteps) {
            throw new IllegalArgumentException("step " + step + " outside 1.." + totalSteps);
        }
        if (step <= warmupSteps) {
            return learningRate * step / warmupSteps;
        }
        double progress = (double) (step - warmupSteps) / (totalSteps - warmupSteps);
        return minLearningRate + 0.5 * (learningRate - minLearningRate) * (1 + Math.cos(Math.PI * progress));
    }

    private static void require(boolean condition, String message) {
        if (!condition) {
            throw new IllegalArgumentException("bad training config: " + message);
        }
    }
}
