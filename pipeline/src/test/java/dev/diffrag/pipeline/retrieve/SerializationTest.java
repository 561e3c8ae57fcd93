package dev.diffrag.pipeline.retrieve;

import static org.assertj.core.api.Assertions.assertThat;

import dev.diffrag.pipeline.index.EmbeddedQuestion;
import dev.diffrag.pipeline.index.PartialRetrieval;
import dev.diffrag.pipeline.ingest.DocumentChange;
import dev.diffrag.pipeline.ingest.ValidQuestion;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.typeutils.GenericTypeInfo;
import org.apache.flink.api.java.typeutils.PojoTypeInfo;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Everything flowing between operators or held in state is serialized by Flink's own serializers, not Kryo. */
class SerializationTest {

    @ParameterizedTest
    @ValueSource(classes = {
        DocumentChange.class, ValidQuestion.class, EmbeddedQuestion.class, PartialRetrieval.class, RetrievalResult.class
    })
    void isAFlinkPojo(Class<?> type) {
        TypeInformation<?> info = TypeInformation.of(type);
        assertThat(info).isInstanceOf(PojoTypeInfo.class);
        assertThat(info.toString()).doesNotContain("GenericType");
    }
}
