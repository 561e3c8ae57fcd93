package dev.diffrag.reader.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.io.IOException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.io.TempDir;

class XquadTest {

    @TempDir
    Path folder;

    private Path file(String qas) throws Exception {
        Path file = folder.resolve("squad.json");
        Files.writeString(file, "{\"data\":[{\"title\":\"T\",\"paragraphs\":[{\"context\":\"Paris is in France.\","
                + "\"qas\":[" + qas + "]}]}]}");
        return file;
    }

    @Test
    void readsQuestionsWithTheirAnswers() throws Exception {
        Xquad data = Xquad.read(file("{\"id\":\"q1\",\"question\":\"Where is Paris?\","
                + "\"answers\":[{\"answer_start\":12,\"text\":\"France\"}]}"));
        assertThat(data.questions()).singleElement().satisfies(q -> {
            assertThat(q.answers()).containsExactly("France");
            assertThat(data.gold(q).contexts()).singleElement().satisfies(p ->
                    assertThat(p.text()).isEqualTo("Paris is in France."));
        });
    }

    @Test
    void refusesAQuestionWithoutAnswersAsSquadV2sUnanswerableOnes() throws Exception {
        // Scored as answerable with no gold, such a question gave 0 whatever the reader did, also a right abstention.
        Path v2 = file("{\"id\":\"q2\",\"question\":\"Who is the mayor?\",\"answers\":[],\"is_impossible\":true}");
        assertThatThrownBy(() -> Xquad.read(v2)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("q2").hasMessageContaining("no answer");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "{\"id\":\"q3\",\"question\":\"Where?\",\"answers\":[{\"answer_start\":12}]}      | data[0].paragraphs[0].qas[0].answers[0].text",
        "{\"id\":\"q3\",\"question\":\"Where?\",\"answers\":[{\"text\":null}]}            | data[0].paragraphs[0].qas[0].answers[0].text",
        "{\"id\":\"q3\",\"question\":\"Where?\",\"answers\":{\"text\":\"France\"}}      | data[0].paragraphs[0].qas[0].answers",
        "{\"id\":\"q3\",\"answers\":[{\"text\":\"France\"}]}                                | data[0].paragraphs[0].qas[0].question",
        "{\"question\":\"Where?\",\"answers\":[{\"text\":\"France\"}]}                      | data[0].paragraphs[0].qas[0].id",
        "{\"id\":3,\"question\":\"Where?\",\"answers\":[{\"text\":\"France\"}]}           | data[0].paragraphs[0].qas[0].id",
    })
    void aBrokenQuestionIsNamedByFileRecordAndField(String qa, String field) throws Exception {
        Path broken = file(qa);
        assertThatThrownBy(() -> Xquad.read(broken)).isInstanceOf(IOException.class)
                .hasMessageContaining(broken.toString()).hasMessageContaining(field);
    }

    @Test
    void aBrokenParagraphOrArticleIsNamedByFileRecordAndField() throws Exception {
        Path noContext = folder.resolve("no-context.json");
        Files.writeString(noContext, "{\"data\":[{\"paragraphs\":[{\"qas\":[]}]}]}");
        assertThatThrownBy(() -> Xquad.read(noContext)).isInstanceOf(IOException.class)
                .hasMessageContaining(noContext.toString()).hasMessageContaining("data[0].paragraphs[0].context");
        Path noData = folder.resolve("no-data.json");
        Files.writeString(noData, "{\"version\":\"1.1\"}");
        assertThatThrownBy(() -> Xquad.read(noData)).isInstanceOf(IOException.class)
                .hasMessageContaining(noData.toString()).hasMessageContaining("data");
        Path noQas = folder.resolve("no-qas.json");
        Files.writeString(noQas, "{\"data\":[{\"paragraphs\":[{\"context\":\"c\"}]}]}");
        assertThatThrownBy(() -> Xquad.read(noQas)).isInstanceOf(IOException.class)
                .hasMessageContaining("data[0].paragraphs[0].qas");
    }
}
