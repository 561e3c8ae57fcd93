package dev.diffrag.model;

import ai.djl.pytorch.jni.JniUtils;
import java.util.function.Supplier;

/**
 * PyTorch's autograd switch, which is per thread. DJL turns it off only on the thread that started the engine, so on
 * any other thread — a Flink task, the micro-batcher, an HTTP handler — copying weights into parameters or DIFF V1's
 * in-place inference fails with "a leaf Variable that requires grad is being used in an in-place operation", and
 * every forward pass would record a graph nobody uses. Loading and inference therefore run with autograd off.
 */
public final class Autograd {

    private Autograd() {}

    /** {@code work}'s result, computed with autograd off on this thread; the previous mode is restored. */
    public static <T> T off(Supplier<T> work) {
        boolean previous = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        try {
            return work.get();
        } finally {
            JniUtils.setGradMode(previous);
        }
    }
}
