package dev.diffrag.connectors.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.diffrag.connectors.Json;
import dev.diffrag.connectors.records.AnswerRecord;
import dev.diffrag.connectors.records.DeadLetterRecord;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

class JsonRecordSerializerTest {

    @Test
    void writesJsonKeyedByTheKeyFunctionToItsTopic() throws Exception {
        AnswerRecord answer = new AnswerRecord("acme", "q-17", "Why?", "Because.", false, 0.8, List.of(), List.of(),
                "baseline-sentence", 12);
        JsonRecordSerializer<AnswerRecord> serializer = new JsonRecordSerializer<>("answers", AnswerRecord::id);

        ProducerRecord<byte[], byte[]> record = serializer.serialize(answer, null, 99L);

        assertThat(record.topic()).isEqualTo("answers");
        assertThat(new String(record.key(), StandardCharsets.UTF_8)).isEqualTo("q-17");
        assertThat(record.timestamp()).isEqualTo(99L);
        assertThat(record.partition()).isNull();
        assertThat(Json.read(record.value(), AnswerRecord.class)).isEqualTo(answer);
    }

    @Test
    void aNullKeyIsWrittenWithoutAKey() {
        DeadLetterRecord deadLetter = new DeadLetterRecord("questions", 0, 5, null, "no key", "{}");
        JsonRecordSerializer<DeadLetterRecord> serializer = new JsonRecordSerializer<>("dead-letter", DeadLetterRecord::key);

        assertThat(serializer.serialize(deadLetter, null, null).key()).isNull();
    }
}
