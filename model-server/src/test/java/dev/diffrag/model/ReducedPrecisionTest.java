package dev.diffrag.model;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** A model held in a 16-bit type (FLOAT16 runs on the CPU too; BFLOAT16, the GPU's usual choice, only on CUDA). */
class ReducedPrecisionTest {

    /**
     * The float32 copies of norm gains and λ vectors that a pass makes are temporaries of the pass: made on the
     * parameters' manager, they stayed there until the model was closed, 15 arrays per DIFF V1 pass of 2 layers.
     */
    @ParameterizedTest
    @EnumSource(AttentionKind.class)
    void aFloat16PassLeavesNoArraysOnTheModelsManager(AttentionKind kind) {
        try (NDManager manager = NDManager.newBaseManager()) {
            DiffTransformer model = new DiffTransformer(Fixtures.config(kind, true, true));
            model.initialize(manager, DataType.FLOAT16, new Shape(1, 4));
            ParameterStore ps = new ParameterStore(manager, false);
            int before = manager.getManagedArrays().size();
            for (int pass = 0; pass < 3; pass++) {
                try (NDManager request = manager.newSubManager()) {
                    NDList inputs = new NDList(Fixtures.ids(request, Fixtures.tokens(pass, 2, 6)));
                    assertThat(Autograd.off(() -> model.forward(ps, inputs, false)).head().getDataType())
                            .isEqualTo(DataType.FLOAT16);
                }
            }
            assertThat(manager.getManagedArrays().size()).as("arrays on the model's manager").isEqualTo(before);
        }
    }
}
