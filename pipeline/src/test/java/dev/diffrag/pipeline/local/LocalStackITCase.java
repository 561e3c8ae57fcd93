package dev.diffrag.pipeline.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.diffrag.connectors.records.AnswerRecord;
import dev.diffrag.connectors.records.Citation;
import dev.diffrag.connectors.records.SummaryRecord;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The README's local stack end to end with the product's default answerer, the Diff Transformer reader: the sample
 * paragraphs are ingested through Kafka and the Flink job, questions whose answers they hold are answered with verbatim
 * spans of the cited documents at the stated offsets, and a question they cannot answer is abstained on; every sample
 * document is summarized, and the digest of their window written, in the documents' own words at the stated offsets.
 */
class LocalStackITCase {

    /**
     * Sample questions and their gold answer (Natural Questions) that the shipped reader finds; it is weak (see
     * docs/results/reader-eval.md) and misreads other sample questions, so those are not asserted here.
     */
    private static final Map<String, String> ANSWERED = Map.of(
            "Who is often associated with printing the first book using moveable type in germany?", "Gutenberg",
            "Where is the capital city of alabama located?", "Montgomery");
    private static final String UNANSWERABLE = "Who won the football world cup in 1966?";

    @Test
    void theReaderAnswersFromTheCitedChunksAndAbstainsWhenTheyLackTheAnswer() throws Exception {
        List<String> questions = new ArrayList<>();
        questions.add(" "); // rejected by the job: no answer, and the questions after it are still answered
        questions.addAll(ANSWERED.keySet());
        questions.add(UNANSWERABLE);

        LocalStack.Outcome outcome = LocalStack.run(questions, answer -> {});
        assertThat(outcome.checkpoints().getFileName().toString()).startsWith("diffrag-checkpoints");
        assertThat(outcome.checkpoints()).as("the run removes its checkpoints").doesNotExist();
        List<AnswerRecord> answers = outcome.answers();

        assertThat(answers).hasSize(questions.size() - 1);

        Map<String, String> documents = SampleCorpus.documents().stream()
                .collect(Collectors.toMap(SampleCorpus.Document::id, SampleCorpus.Document::text));
        Map<String, AnswerRecord> byQuestion = answers.stream()
                .collect(Collectors.toMap(AnswerRecord::question, Function.identity()));
        ANSWERED.forEach((question, gold) -> {
            AnswerRecord answer = byQuestion.get(question);
            assertThat(answer.model()).isEqualTo("diff-v2-bge-top4-reader");
            assertThat(answer.abstained()).as("%s", answer).isFalse();
            assertThat(answer.answer()).contains(gold);
            Citation citation = answer.citations().get(0);
            String cited = documents.get(citation.docId()).substring(citation.start(), citation.end());
            assertThat(cited).isEqualTo(citation.text()).isEqualTo(answer.answer());
            assertThat(answer.retrieved()).anyMatch(chunk -> chunk.chunkId().equals(citation.chunkId()));
        });
        AnswerRecord unanswerable = byQuestion.get(UNANSWERABLE);
        assertThat(unanswerable.abstained()).as("%s", unanswerable).isTrue();
        assertThat(unanswerable.citations()).isEmpty();

        assertThat(outcome.summaries()).extracting(SummaryRecord::docId)
                .containsExactlyElementsOf(SampleCorpus.documents().stream().map(SampleCorpus.Document::id).toList());
        assertThat(outcome.summaries()).allSatisfy(summary -> assertThat(summary.sentences()).isNotEmpty()
                .allSatisfy(s -> assertThat(documents.get(summary.docId()).substring(s.start(), s.end()))
                        .isEqualTo(s.text())));
        assertThat(outcome.digests()).isNotEmpty().allSatisfy(digest -> assertThat(digest.sentences()).isNotEmpty()
                .allSatisfy(s -> assertThat(documents.get(s.docId()).substring(s.start(), s.end()))
                        .isEqualTo(s.text())));
    }
}
