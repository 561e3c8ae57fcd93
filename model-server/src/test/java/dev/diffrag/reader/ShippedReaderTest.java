package dev.diffrag.reader;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.diffrag.answer.AnswerRequest;
import dev.diffrag.answer.GroundedAnswer;
import dev.diffrag.answer.Passage;
import dev.diffrag.model.AttentionKind;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The checkpoint shipped in the jar loads and reads. */
class ShippedReaderTest {

    private static final Passage NOBEL = new Passage("nobel", "The first Nobel Prize in Physics was awarded in 1901 "
            + "to Wilhelm Conrad Röntgen, of Germany, who received 150,782 SEK.");
    private static final Passage RAIN = new Passage("rain", "The Amazon rainforest covers much of the Amazon basin "
            + "of South America. Rainfall there exceeds two metres a year.");

    private static DiffReaderAnswerer reader;

    @BeforeAll
    static void load() throws Exception {
        reader = DiffReaderAnswerer.shipped();
    }

    @AfterAll
    static void close() {
        reader.close();
    }

    @Test
    void shippedReaderIsTheDiffV2ReaderOverBgeTopLayersWithACalibratedThreshold() {
        assertThat(reader.name()).isEqualTo("diff-v2-bge-top4-reader");
        assertThat(reader.threshold()).isBetween(0.0, 1.0);
    }

    @Test
    void aRequestIsAnsweredTheSameAloneAndInABatchOfOtherLengths() {
        // The server and the job batch whatever arrives together: padding and batch order must change nothing.
        List<AnswerRequest> requests = List.of(
                new AnswerRequest("How much rain falls in the Amazon?", List.of(RAIN)),
                new AnswerRequest("When was the first Nobel Prize in Physics awarded?",
                        List.of(RAIN, NOBEL, new Passage("long", (RAIN.text() + " ").repeat(20)))),
                new AnswerRequest("Who received 150,782 SEK?", List.of(NOBEL)));
        List<DiffReaderAnswerer.Reading> batched = reader.read(requests);
        List<AnswerRequest> backwards = new ArrayList<>(requests);
        Collections.reverse(backwards);
        List<DiffReaderAnswerer.Reading> reversed = reader.read(backwards);

        for (int i = 0; i < requests.size(); i++) {
            GroundedAnswer alone = reader.read(List.of(requests.get(i))).get(0).bestSpan();
            for (GroundedAnswer other : List.of(batched.get(i).bestSpan(),
                    reversed.get(requests.size() - 1 - i).bestSpan())) {
                assertThat(other.citation()).isEqualTo(alone.citation());
                assertThat(other.answer()).isEqualTo(alone.answer());
                assertThat(other.confidence()).isCloseTo(alone.confidence(), offset(1e-5));
            }
        }
    }

    @Test
    void requestsReadInGroupsOfBoundedSizeAreReadAsInOneBatch() {
        // A batch is read in groups of bounded passage characters so that it never holds every request's features;
        // with a bound below one request each request forms its own group.
        List<AnswerRequest> requests = List.of(
                new AnswerRequest("How much rain falls in the Amazon?", List.of(RAIN)),
                new AnswerRequest("When was the first Nobel Prize in Physics awarded?", List.of(RAIN, NOBEL)),
                new AnswerRequest("Who received 150,782 SEK?", List.of(NOBEL)));
        long rainAndNobel = NOBEL.text().length() + RAIN.text().length();
        assertThat(DiffReaderAnswerer.groups(requests, 1)).extracting(List::size).containsExactly(1, 1, 1);
        assertThat(DiffReaderAnswerer.groups(requests, rainAndNobel)).extracting(List::size).containsExactly(1, 1, 1);
        assertThat(DiffReaderAnswerer.groups(requests, rainAndNobel + NOBEL.text().length()))
                .extracting(List::size).containsExactly(2, 1);
        assertThat(DiffReaderAnswerer.groups(requests, DiffReaderAnswerer.GROUP_CHARS)).hasSize(1);
        List<DiffReaderAnswerer.Reading> together = reader.read(requests);
        for (long groupChars : new long[] {1, rainAndNobel + NOBEL.text().length()}) {
            List<DiffReaderAnswerer.Reading> grouped = reader.read(requests, groupChars);
            assertThat(grouped).hasSize(requests.size());
            for (int i = 0; i < requests.size(); i++) {
                assertThat(grouped.get(i).bestSpan().citation()).isEqualTo(together.get(i).bestSpan().citation());
                assertThat(grouped.get(i).bestSpan().confidence())
                        .isCloseTo(together.get(i).bestSpan().confidence(), offset(1e-5));
            }
        }
    }

    @Test
    void answersAreVerbatimCitedSpansOrAbstentionsInRequestOrder() {
        List<AnswerRequest> requests = List.of(
                new AnswerRequest("When was the first Nobel Prize in Physics awarded?", List.of(RAIN, NOBEL)),
                new AnswerRequest("How much rain falls in the Amazon?", List.of(RAIN)),
                new AnswerRequest("who got the first nobel prize in physics", List.of(NOBEL)));
        List<DiffReaderAnswerer.Reading> readings = reader.read(requests);
        assertThat(readings).hasSize(3);
        for (int i = 0; i < readings.size(); i++) {
            for (GroundedAnswer answer : List.of(readings.get(i).answer(), readings.get(i).bestSpan())) {
                assertThat(answer.confidence()).isBetween(0.0, 1.0);
                if (!answer.abstained()) {
                    Passage cited = requests.get(i).contexts().stream()
                            .filter(p -> p.id().equals(answer.citation().contextId())).findFirst().orElseThrow();
                    assertThat(cited.text().substring(answer.citation().start(), answer.citation().end()))
                            .isEqualTo(answer.answer());
                }
            }
        }
        // The trained weights find this answer among two passages (the same weights fed MiniLM features read "year").
        // A sanity check of the shipped weights, not of quality: docs/results/reader-eval.md measures that.
        assertThat(readings.get(0).bestSpan().citation().contextId()).isEqualTo("nobel");
        assertThat(readings.get(0).bestSpan().answer()).isEqualTo("1901");
        assertThat(reader.answer(requests)).extracting(GroundedAnswer::abstained)
                .containsExactlyElementsOf(readings.stream().map(r -> r.answer().abstained()).toList());
    }

    @Test
    void aReaderLoadedInSixteenBitsReadsLikeTheFloat32One() throws Exception {
        // On a GPU, DIFFRAG_DTYPE=bfloat16|float16 loads the reader in that type. The CPU engine holds float16 (not
        // bfloat16) arrays, so float16 stands in for the path both take: float32 features cast to the weights' type.
        List<AnswerRequest> requests = List.of(
                new AnswerRequest("When was the first Nobel Prize in Physics awarded?", List.of(RAIN, NOBEL)),
                new AnswerRequest("How much rain falls in the Amazon?", List.of(RAIN)),
                new AnswerRequest("who got the first nobel prize in physics", List.of(NOBEL)));
        try (DiffReaderAnswerer half = DiffReaderAnswerer.shipped(DiffReaderAnswerer.DEFAULT, null, Device.cpu(),
                DataType.FLOAT16)) {
            assertThat(half.dataType()).isEqualTo(DataType.FLOAT16);
            assertThat(reader.dataType()).isEqualTo(DataType.FLOAT32);
            List<DiffReaderAnswerer.Reading> halfReadings = half.read(requests);
            List<DiffReaderAnswerer.Reading> fullReadings = reader.read(requests);
            for (int i = 0; i < requests.size(); i++) {
                GroundedAnswer inHalf = halfReadings.get(i).bestSpan();
                GroundedAnswer inFull = fullReadings.get(i).bestSpan();
                assertThat(inHalf.citation()).as("request %d", i).isEqualTo(inFull.citation());
                assertThat(inHalf.answer()).isEqualTo(inFull.answer());
                assertThat(inHalf.confidence()).isCloseTo(inFull.confidence(), offset(0.02));
            }
        }
    }

    @Test
    void passagesPastOneInputAreReadInFurtherInputs() {
        // About 4,200 tokens of filler before the answer: more than the reader's 4,096 positions.
        String filler = "The committee met on Tuesday to discuss the budget of the new library and the repairs "
                + "to the old town hall, and agreed to meet again next month. ";
        List<Passage> retrieved = new ArrayList<>();
        for (int i = 0; i < 14; i++) {
            retrieved.add(new Passage("minutes-" + i, filler.repeat(10)));
        }
        Passage zebra = new Passage("zebra", "The zebra in the town zoo has a purple tail.");
        retrieved.add(zebra);
        Passage oneLong = new Passage("one-long", filler.repeat(140) + zebra.text());
        String question = "What colour is the tail of the zebra in the town zoo?";

        List<DiffReaderAnswerer.Reading> readings = reader.read(List.of(
                new AnswerRequest(question, retrieved), new AnswerRequest(question, List.of(oneLong))));

        GroundedAnswer amongMany = readings.get(0).answer();
        assertThat(amongMany.citation().contextId()).isEqualTo("zebra");
        assertThat(amongMany.answer()).contains("purple");
        GroundedAnswer inOneLong = readings.get(1).answer();
        assertThat(inOneLong.citation().contextId()).isEqualTo("one-long");
        assertThat(inOneLong.citation().start()).isGreaterThan(filler.length() * 140);
        assertThat(oneLong.text().substring(inOneLong.citation().start(), inOneLong.citation().end()))
                .isEqualTo(inOneLong.answer()).contains("purple");
    }

    @Test
    void answersOnAThreadOtherThanTheOneThatStartedTheEngine() throws Exception {
        // Flink calls answerers from its operator threads; PyTorch's autograd mode is per thread.
        List<AnswerRequest> requests = List.of(new AnswerRequest("who got the first nobel prize in physics",
                List.of(NOBEL)));
        List<GroundedAnswer> here = reader.answer(requests);
        List<List<GroundedAnswer>> there = new ArrayList<>();
        Thread thread = new Thread(() -> there.add(reader.answer(requests)));
        thread.start();
        thread.join();
        assertThat(there).hasSize(1);
        assertThat(there.get(0)).isEqualTo(here);
    }

    @ParameterizedTest
    @CsvSource({"diff-v2-long, DIFF_V2, MINILM_FEATURES", "diff-v1-long, DIFF_V1, MINILM_FEATURES",
            "vanilla-long, VANILLA, MINILM_FEATURES", "diff-v2-bge-top4, DIFF_V2, BGE_SMALL_TOP4_MEAN",
            "diff-v1-bge-top4, DIFF_V1, BGE_SMALL_TOP4_MEAN", "vanilla-bge-top4, VANILLA, BGE_SMALL_TOP4_MEAN",
            "diff-v2, DIFF_V2, MINILM_FEATURES",
            "diff-v1, DIFF_V1, MINILM_FEATURES", "vanilla, VANILLA, MINILM_FEATURES",
            "diff-v1-scratch, DIFF_V1, TOKEN_EMBEDDINGS"})
    void everyShippedReaderLoadsWithTheAttentionAndInputItsNameSaysAndACalibratedThreshold(String name,
            AttentionKind kind, ReaderConfig.Input input) throws Exception {
        try (NDManager manager = NDManager.newBaseManager()) {
            ReaderCheckpoint.Loaded loaded = ReaderCheckpoint.loadResource(name, manager);
            assertThat(loaded.model().config().encoder().attention()).isEqualTo(kind);
            assertThat(loaded.model().config().input()).isEqualTo(input);
            assertThat(loaded.calibration().abstainThreshold()).isBetween(0.0, 1.0);
        }
    }

    @ParameterizedTest
    @CsvSource({"diff-v2-bge-top4", "diff-v1-bge-top4", "vanilla-bge-top4"})
    void bgeReadersReadThroughTheirOwnEncoder(String name, @TempDir Path miswired) throws Exception {
        // The same weights and threshold with MiniLM features in place of BGE's (same width and vocabulary): a
        // reader that ignored its configured encoder would read identically through both.
        try (NDManager manager = NDManager.newBaseManager()) {
            ReaderCheckpoint.Loaded shipped = ReaderCheckpoint.loadResource(name, manager);
            ReaderCheckpoint.save(miswired, shipped.model(), shipped.calibration());
        }
        String config = Files.readString(miswired.resolve("config.json"));
        assertThat(config).contains("BGE_SMALL_TOP4_MEAN");
        Files.writeString(miswired.resolve("config.json"), config.replace("BGE_SMALL_TOP4_MEAN", "MINILM_FEATURES"));
        List<AnswerRequest> requests = List.of(
                new AnswerRequest("who got the first nobel prize in physics", List.of(RAIN, NOBEL)),
                new AnswerRequest("When was the first Nobel Prize in Physics awarded?", List.of(RAIN, NOBEL)),
                new AnswerRequest("What does the Amazon rainforest cover?", List.of(RAIN, NOBEL)));
        try (DiffReaderAnswerer bge = DiffReaderAnswerer.shipped(name);
                DiffReaderAnswerer minilm = DiffReaderAnswerer.load(miswired, bge.threshold())) {
            List<GroundedAnswer> throughBge = bge.read(requests).stream().map(DiffReaderAnswerer.Reading::bestSpan)
                    .toList();
            List<GroundedAnswer> throughMiniLm = minilm.read(requests).stream()
                    .map(DiffReaderAnswerer.Reading::bestSpan).toList();
            assertThat(throughBge).isNotEqualTo(throughMiniLm);
        }
    }

    @Test
    void checkpointRecordsItsArchitecture() throws Exception {
        try (NDManager manager = NDManager.newBaseManager()) {
            ReaderCheckpoint.Loaded loaded = ReaderCheckpoint.loadResource("diff-v1", manager);
            assertThat(loaded.model().config().encoder().attention()).isEqualTo(AttentionKind.DIFF_V1);
            assertThat(loaded.model().config().input()).isEqualTo(ReaderConfig.Input.MINILM_FEATURES);
            assertThat(loaded.model().config().encoder().causal()).isFalse();
            assertThat(loaded.model().config().encoder().maxLength()).isGreaterThanOrEqualTo(2048);
        }
    }
}
