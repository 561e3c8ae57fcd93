package dev.diffrag.summarize;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;

import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The shipped Diff V1 checkpoint: it loads from the classpath and its summaries are verbatim spans. */
class SalienceSummarizerTest {

    static final String NEWS = "Gary Locke will be confirmed as Kilmarnock's permanent manager on Friday. "
            + "An announcement will be made by the Rugby Park club on Friday morning, with the former Hearts boss "
            + "being given a three-year deal. The 39-year-old paid tribute to the players. "
            + "'I'd be over the moon to get it,' said Locke. "
            + "Kilmarnock went unbeaten in his first six games in charge. "
            + "The club's supporters have welcomed the decision. "
            + "Locke replaced Allan Johnston on a caretaker basis in February.";

    private static SalienceSummarizer summarizer;

    @BeforeAll
    static void load() {
        summarizer = SalienceSummarizer.bundled("diff-v1", 0);
    }

    @AfterAll
    static void close() {
        summarizer.close();
    }

    @Test
    void theShippedCheckpointIsADiffV1EncoderAndSummarizesVerbatim() {
        assertThat(summarizer.name()).isEqualTo("diff-v1-salience");
        assertThat(summarizer.model().config().encoder().attention()).isEqualTo(dev.diffrag.model.AttentionKind.DIFF_V1);
        // the recipe chosen by cross-validation: sentence features in, a lead prior before MMR
        assertThat(summarizer.model().config().sentenceFeatures()).isTrue();
        assertThat(summarizer.model().config().selection().leadPrior()).isPositive();

        Summary summary = summarizer.summarize(List.of(new SummaryRequest("locke", NEWS, 3))).get(0);

        assertThat(summary.id()).isEqualTo("locke");
        assertThat(summary.sentences()).hasSize(3);
        assertThat(summary.sentences()).extracting(Summary.Sentence::start).isSorted();
        for (Summary.Sentence sentence : summary.sentences()) {
            assertThat(NEWS.substring(sentence.start(), sentence.end())).isEqualTo(sentence.text());
        }
    }

    @Test
    void repeatedSummariesLeaveNoArraysOnTheModel() {
        NDManager parameters = summarizer.model().getParameters().valueAt(0).getArray().getManager();
        summarizer.summarize(List.of(new SummaryRequest("warm-up", NEWS, 3)));
        int before = parameters.getManagedArrays().size();

        for (int i = 0; i < 5; i++) {
            summarizer.summarize(List.of(new SummaryRequest("locke-" + i, NEWS, 3)));
        }

        assertThat(parameters.getManagedArrays()).as("arrays on the model's manager").hasSize(before);
    }

    @Test
    void salienceDependsOnTheSentences() {
        List<EmbeddedDocument> documents = EmbeddedDocument.embedAll(summarizer.embedder(), List.of(NEWS));
        double[] salience = summarizer.salience(documents).get(0);
        assertThat(salience).hasSize(documents.get(0).sentences().size());
        double spread = java.util.Arrays.stream(salience).max().orElseThrow()
                - java.util.Arrays.stream(salience).min().orElseThrow();
        assertThat(spread).isGreaterThan(0.05);
    }

    @Test
    void aTokenBudgetAndShortOrEmptyDocumentsAreRespected() {
        try (SalienceSummarizer budgeted = SalienceSummarizer.bundled("diff-v1", 20)) {
            Summary summary = budgeted.summarize(List.of(new SummaryRequest("b", NEWS, 3))).get(0);
            assertThat(summary.sentences().stream().mapToInt(s -> SummaryBudget.tokens(s.text())).sum())
                    .isLessThanOrEqualTo(20);
            assertThat(summary.sentences()).isNotEmpty();
        }
        List<Summary> summaries = summarizer.summarize(List.of(new SummaryRequest("one", "Only one sentence.", 3),
                new SummaryRequest("none", "   ", 3), new SummaryRequest("zero", NEWS, 0),
                new SummaryRequest("invisible", "\u00A0\n\u200B", 3)));
        assertThat(summaries.get(0).sentences()).extracting(Summary.Sentence::text).containsExactly("Only one sentence.");
        assertThat(summaries.get(1).sentences()).isEmpty();
        assertThat(summaries.get(2).sentences()).isEmpty();
        assertThat(summaries.get(3).sentences()).isEmpty();
    }

    @Test
    void sentencesWithoutContentAreLeftOutOfTheSummary() {
        // A bullet glyph, undecodable bytes, a lone combining mark, a variation selector: the embedder has no token for
        // any of them and refused the whole batch.
        String neptune = "Neptune is the eighth planet.\n\u0301";
        List<Summary> summaries = summarizer.summarize(Stream.of(neptune, "\uF0B7", "\uFFFD", "\u0301", "\uFE0F")
                .map(text -> new SummaryRequest("d", text, 3)).toList());

        assertThat(summaries.get(0).sentences()).containsExactly(
                new Summary.Sentence("Neptune is the eighth planet.", 0, 29));
        assertThat(summaries.subList(1, summaries.size()))
                .allSatisfy(summary -> assertThat(summary.sentences()).isEmpty());
    }

    @Test
    void aModelLoadedInSixteenBitsChoosesTheSameSentences() {
        // On a GPU, DIFFRAG_DTYPE=bfloat16|float16 loads the model in that type. The CPU engine holds float16 (not
        // bfloat16) arrays, so float16 stands in for the path both take: float32 embeddings cast to the weights' type.
        try (SalienceSummarizer half = SalienceSummarizer.bundled("diff-v1", 0, Device.cpu(), DataType.FLOAT16)) {
            assertThat(half.model().namedParameters().values())
                    .allSatisfy(p -> assertThat(p.getArray().getDataType()).isEqualTo(DataType.FLOAT16));
            List<EmbeddedDocument> documents = EmbeddedDocument.embedAll(summarizer.embedder(), List.of(NEWS));
            assertThat(half.salience(documents).get(0))
                    .containsExactly(summarizer.salience(documents).get(0), within(0.01));
            assertThat(half.summarize(List.of(new SummaryRequest("locke", NEWS, 3))))
                    .isEqualTo(summarizer.summarize(List.of(new SummaryRequest("locke", NEWS, 3))));
        }
    }

    @Test
    void documentsLongerThanTheModelsReachStillSummarize() {
        int reach = summarizer.model().config().maxSentences();
        String text = IntStream.range(0, reach + 10).mapToObj(i -> "Sentence number " + i + " is here.")
                .collect(Collectors.joining(" "));
        Summary summary = summarizer.summarize(List.of(new SummaryRequest("long", text, 3))).get(0);
        assertThat(summary.sentences()).hasSize(3);
        summary.sentences().forEach(s -> assertThat(text.substring(s.start(), s.end())).isEqualTo(s.text()));
    }
}
