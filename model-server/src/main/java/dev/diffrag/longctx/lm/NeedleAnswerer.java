package dev.diffrag.longctx.lm;

import ai.djl.ndarray.NDManager;
import java.util.List;

/** How a trained retrieval model answers a prompt's questions: by writing the answers, or by pointing at them. */
public interface NeedleAnswerer {

    /** The answer tokens per asked question, in order, without the closing [SEP]. */
    List<int[]> answer(NeedlePrompt prompt, NDManager manager);
}
