package dev.diffrag.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class ModelConfigTest {

    private final ObjectMapper mapper = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    @Test
    void roundTripsThroughJson() throws Exception {
        ModelConfig config = ModelConfig.causalLm(AttentionKind.DIFF_V1, 256, 4, 32, 1000, 512).withRope(50_000);
        String json = mapper.writeValueAsString(config);
        assertThat(json).contains("\"attention\":\"DIFF_V1\"", "\"dModel\":256", "\"heads\":4", "\"ropeTheta\":50000.0")
                .doesNotContain("ffnHidden");
        assertThat(mapper.readValue(json, ModelConfig.class)).isEqualTo(config);
    }

    @Test
    void headsFollowTheAttentionKindAtTheSameWidth() {
        assertThat(ModelConfig.encoder(AttentionKind.VANILLA, 256, 2, 32, 10, 64).heads()).isEqualTo(8);
        assertThat(ModelConfig.encoder(AttentionKind.DIFF_V1, 256, 2, 32, 10, 64).heads()).isEqualTo(4);
        assertThat(ModelConfig.encoder(AttentionKind.DIFF_V2, 256, 2, 32, 10, 64).heads()).isEqualTo(8);
        ModelConfig v1 = ModelConfig.encoder(AttentionKind.DIFF_V1, 256, 2, 32, 10, 64);
        assertThat(v1.withAttention(AttentionKind.VANILLA)).isEqualTo(
                ModelConfig.encoder(AttentionKind.VANILLA, 256, 2, 32, 10, 64));
    }

    @Test
    void ffnHiddenIsEightThirdsOfTheWidthAndSmallerForV2() {
        assertThat(ModelConfig.encoder(AttentionKind.VANILLA, 768, 2, 64, 10, 64).ffnHidden()).isEqualTo(2048);
        assertThat(ModelConfig.encoder(AttentionKind.DIFF_V1, 768, 2, 64, 10, 64).ffnHidden()).isEqualTo(2048);
        // V2 gives back (h·d + h)/3 = (768 + 12)/3 = 260 hidden units for its doubled q_proj and lambda_proj.
        assertThat(ModelConfig.encoder(AttentionKind.DIFF_V2, 768, 2, 64, 10, 64).ffnHidden()).isEqualTo(1788);
    }

    @Test
    void rejectsInconsistentShapes() {
        assertThatThrownBy(() -> new ModelConfig(256, 2, 8, 32, AttentionKind.DIFF_V1, true, 10, 64, 1e4, 1e-5, true))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("heads*headDim*2");
        assertThatThrownBy(() -> new ModelConfig(66, 2, 2, 33, AttentionKind.VANILLA, false, 10, 64, 1e4, 1e-5, false))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("even");
        assertThatThrownBy(() -> ModelConfig.encoder(AttentionKind.DIFF_V1, 96, 2, 64, 10, 64))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("multiple");
    }
}
