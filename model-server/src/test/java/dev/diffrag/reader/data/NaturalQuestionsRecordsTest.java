package dev.diffrag.reader.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** A broken NQ record is reported with the file, its line and the field, not as a bare NullPointerException. */
class NaturalQuestionsRecordsTest {

    private static final String GOOD = "{\"question\":\"who built it\",\"answers\":[\"Eiffel\"],"
            + "\"ctxs\":[{\"title\":\"T\",\"text\":\"Built by Eiffel.\"}]}";

    @TempDir
    Path folder;

    private Path file(String... lines) throws IOException {
        Path file = folder.resolve("nq.jsonl.gz");
        try (Writer out = new OutputStreamWriter(new GZIPOutputStream(Files.newOutputStream(file)),
                StandardCharsets.UTF_8)) {
            for (String line : lines) {
                out.write(line + "\n");
            }
        }
        return file;
    }

    @Test
    void readsAGoodRecordAndSkipsBlankLines() throws IOException {
        assertThat(ReaderCorpus.naturalQuestions(file(GOOD, "", GOOD))).hasSize(2);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "{\"question\":\"q\",\"answers\":[\"Eiffel\"]}                                          | ctxs",
        "{\"question\":\"q\",\"answers\":[\"Eiffel\"],\"ctxs\":[]}                              | ctxs",
        "{\"question\":\"q\",\"answers\":[\"Eiffel\"],\"ctxs\":[{\"title\":\"T\"}]}             | ctxs[0].text",
        "{\"question\":\"q\",\"answers\":[\"Eiffel\"],\"ctxs\":[{\"text\":7}]}                  | ctxs[0].text",
        "{\"question\":\"q\",\"ctxs\":[{\"text\":\"Built by Eiffel.\"}]}                        | answers",
        "{\"question\":\"q\",\"answers\":\"Eiffel\",\"ctxs\":[{\"text\":\"Built by Eiffel.\"}]}  | answers",
        "{\"question\":\"q\",\"answers\":[{}],\"ctxs\":[{\"text\":\"Built by Eiffel.\"}]}       | answers[0]",
        "{\"answers\":[\"Eiffel\"],\"ctxs\":[{\"text\":\"Built by Eiffel.\"}]}                  | question",
        "[1, 2]                                                                                 | not a JSON object",
        "{\"question\":                                                                        | JSON",
    })
    void aBrokenRecordIsNamedByFileLineAndField(String broken, String field) throws IOException {
        Path file = file(GOOD, broken);
        assertThatThrownBy(() -> ReaderCorpus.naturalQuestions(file))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(file + " line 2")
                .hasMessageContaining(field);
    }
}
