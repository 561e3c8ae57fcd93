package dev.diffrag.pipeline.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ChunkTest {

    @Test
    void aChunkIsOfItsOwnDocumentVersionOnly() {
        assertThat(Chunk.isOf(Chunk.id("acme", "guide", 5, 0), "acme", "guide", 5)).isTrue();
        assertThat(Chunk.isOf(Chunk.id("acme", "guide", 5, 12), "acme", "guide", 5)).isTrue();
        assertThat(Chunk.isOf(Chunk.id("acme", "guide", 51, 0), "acme", "guide", 5)).isFalse();
        assertThat(Chunk.isOf(Chunk.id("acme", "guide", 5, 0), "globex", "guide", 5)).isFalse();
        // Document ids may hold '@' and '#': "guide@5#1" at version 9 is another document than "guide" at version 5.
        assertThat(Chunk.isOf(Chunk.id("acme", "guide@5#1", 9, 0), "acme", "guide", 5))
                .as("chunk acme/guide@5#1@9#0 of document guide@5#1").isFalse();
    }
}
