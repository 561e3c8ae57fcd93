package dev.diffrag.pipeline.ingest;

import static dev.diffrag.pipeline.ingest.RawRecords.document;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.diffrag.connectors.records.DocumentRecord;
import dev.diffrag.text.SentenceSplitter;
import java.util.List;
import java.util.stream.IntStream;
import org.apache.flink.api.common.functions.DefaultOpenContext;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Parsing then embedding with the real all-MiniLM-L6-v2 model, on ordinary and odd texts. */
class EmbedChunksTest {

    private static final int DIMENSION = 384;

    @ParameterizedTest
    @ValueSource(strings = {
        "An ordinary sentence about rivers.",
        "\u0001\u0002 control characters \u0007",
        "🙂🙂🙂 🚀",
        "ﷺ ﻿ zero\u200bwidth",
        "supercalifragilisticexpialidociousXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX"
    })
    void everyChunkGetsAUnitLengthEmbedding(String text) throws Exception {
        DocumentChange parsed = parse(text + "\n\n" + "Second paragraph. ".repeat(20));
        EmbedChunks embed = new EmbedChunks();
        embed.open(DefaultOpenContext.INSTANCE);

        DocumentChange embedded = embed.map(parsed);

        assertThat(embedded.chunks()).hasSize(parsed.chunks().size()).allSatisfy(chunk -> {
            assertThat(chunk.embedding()).hasSize(DIMENSION);
            double norm = 0;
            for (float v : chunk.embedding()) {
                norm += v * v;
            }
            assertThat(Math.sqrt(norm)).isCloseTo(1.0, within(1e-3));
        });
        assertThat(embedded.chunks()).extracting(Chunk::text)
                .containsExactlyElementsOf(parsed.chunks().stream().map(Chunk::text).toList());
    }

    @Test
    void aChunkOfOnlyBulletGlyphsAndZeroWidthSpacesIsLeftOutAndTheRestEmbedded() throws Exception {
        // The embedder refuses text without a token, and one such chunk failed the whole document's batch (and the
        // job, on every restart).
        String text = "Blue whales eat krill.\n\n" + "\uf0b7 \u200b ".repeat(200) + "\n\nThey dive deep.";
        DocumentChange parsed = parse(text);
        EmbedChunks embed = new EmbedChunks();
        embed.open(DefaultOpenContext.INSTANCE);

        DocumentChange embedded = embed.map(parsed);

        assertThat(embedded.chunks()).extracting(Chunk::text)
                .anyMatch(chunk -> chunk.contains("krill"))
                .anyMatch(chunk -> chunk.contains("dive"))
                .allMatch(SentenceSplitter::hasContent);
        assertThat(embedded.chunks()).extracting(Chunk::chunkId)
                .containsExactly(IntStream.range(0, embedded.chunks().size())
                        .mapToObj(i -> Chunk.id("acme", "d", 1, i)).toArray(String[]::new));
        assertThat(embedded.chunks()).allSatisfy(chunk -> assertThat(chunk.embedding()).hasSize(DIMENSION));
    }

    private static DocumentChange parse(String text) throws Exception {
        try (OneInputStreamOperatorTestHarness<dev.diffrag.connectors.kafka.RawRecord, DocumentChange> harness =
                ProcessFunctionTestHarnesses.forProcessFunction(new ParseDocuments(120, 20, 10_000))) {
            harness.processElement(document(1, DocumentRecord.upsert("acme", "d", "D", text)), 0);
            List<DocumentChange> out = harness.extractOutputValues();
            assertThat(out).hasSize(1);
            return out.get(0);
        }
    }
}
