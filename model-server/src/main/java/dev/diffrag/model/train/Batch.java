package dev.diffrag.model.train;

import ai.djl.ndarray.NDList;

/**
 * One update's data: what the model's forward takes and what the objective compares its output with.
 *
 * @param inputs the model's input list, e.g. [tokenIds (B, T), paddingMask (B, T)]
 * @param labels the objective's targets, e.g. [nextTokenIds (B, T)]
 */
public record Batch(NDList inputs, NDList labels) {}
