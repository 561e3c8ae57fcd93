package dev.diffrag.reader.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
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
}
