package dev.diffrag.model.train;

/**
 * What one update did.
 *
 * @param step the update's 1-based number
 * @param loss the objective before the update
 * @param learningRate the rate the update used
 * @param gradientNorm the global L2 norm of the gradients before clipping
 */
public record StepStats(long step, double loss, double learningRate, double gradientNorm) {}
