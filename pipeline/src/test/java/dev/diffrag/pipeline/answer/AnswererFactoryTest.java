package dev.diffrag.pipeline.answer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDManager;
import dev.diffrag.answer.AnswerRequest;
import dev.diffrag.answer.Answerer;
import dev.diffrag.answer.GroundedAnswer;
import dev.diffrag.answer.Passage;
import dev.diffrag.reader.Calibration;
import dev.diffrag.reader.DiffReaderAnswerer;
import dev.diffrag.reader.ReaderCheckpoint;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AnswererFactoryTest {

    private static AnswerConfig named(String answerer) {
        return AnswerConfig.defaults().withAnswerer(answerer);
    }

    @Test
    void theReaderIsTheDefaultAndTheBaselineStaysSelectable() {
        assertThat(AnswerConfig.defaults().answerer()).isEqualTo("diff-reader");
        try (Answerer baseline = AnswererFactory.of(AnswerConfig.baseline()).create()) {
            assertThat(baseline.name()).isEqualTo("baseline-sentence");
        }
    }

    @Test
    void diffReaderIsTheShippedDiffTransformerReaderAndItsAnswersAreGrounded() {
        try (Answerer reader = AnswererFactory.of(named("diff-reader")).create()) {
            Passage passage = new Passage("c1", "The Eiffel Tower was completed in 1889 for the World's Fair in Paris.");

            GroundedAnswer answer = reader.answer(List.of(new AnswerRequest("When was the Eiffel Tower completed?",
                    List.of(passage)))).get(0);

            assertThat(reader.name()).isEqualTo("diff-v2-bge-top4-reader");
            if (!answer.abstained()) { // grounded by construction: a verbatim span of the cited passage
                assertThat(answer.citation().contextId()).isEqualTo("c1");
                assertThat(passage.text().substring(answer.citation().start(), answer.citation().end()))
                        .isEqualTo(answer.answer());
            }
            assertThat(answer.confidence()).isBetween(0.0, 1.0);
        }
    }

    @Test
    void anotherShippedReaderIsSelectedByName() {
        try (Answerer reader = AnswererFactory.of(named("diff-reader:diff-v1")).create()) {
            assertThat(reader.name()).isEqualTo("diff-v1-reader");
        }
        // Refused when the job is built: found only inside the tasks, it failed them again on every restart.
        assertThatThrownBy(() -> AnswererFactory.of(named("diff-reader:nope")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no shipped reader 'nope'");
    }

    @Test
    void aTrainedReaderIsSelectedByItsCheckpointDirectory(@TempDir Path trained) throws IOException {
        try (NDManager manager = NDManager.newBaseManager()) {
            ReaderCheckpoint.Loaded shipped = ReaderCheckpoint.loadResource("vanilla", manager);
            // what `reader train` writes, with a threshold of its own: the reader must abstain by it
            ReaderCheckpoint.save(trained, shipped.model(), new Calibration(0.999, 0, "test", 0, 0, 0));
        }
        try (Answerer reader = AnswererFactory.of(named("diff-reader:" + trained)).create()) {
            assertThat(reader.name()).isEqualTo("vanilla-reader");
            assertThat(((DiffReaderAnswerer) reader).threshold()).isEqualTo(0.999);
        }
        assertThatThrownBy(() -> AnswererFactory.of(named("diff-reader:" + trained.resolve("missing"))).create())
                .hasMessageContaining("cannot load the reader '" + trained.resolve("missing") + "'");
    }

    @Test
    void unknownAnswerersNameTheKnownOnes() {
        assertThatThrownBy(() -> AnswererFactory.of(named("oracle")))
                .hasMessageContaining("unknown answerer 'oracle' (known: diff-reader, diff-reader:NAME");
    }
}
