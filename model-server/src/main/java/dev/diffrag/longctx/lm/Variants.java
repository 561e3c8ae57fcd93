package dev.diffrag.longctx.lm;

import dev.diffrag.model.AttentionKind;
import java.util.Map;

/** The model names of the report and the checkpoint folders, and the attention each stands for. */
final class Variants {

    static final Map<String, AttentionKind> KINDS =
            Map.of("diff-v1", AttentionKind.DIFF_V1, "diff-v2", AttentionKind.DIFF_V2, "vanilla", AttentionKind.VANILLA);

    private Variants() {}

    static AttentionKind kind(String name) {
        AttentionKind kind = KINDS.get(name);
        if (kind == null) {
            throw new IllegalArgumentException("unknown model " + name + "; expected one of " + KINDS.keySet());
        }
        return kind;
    }
}
