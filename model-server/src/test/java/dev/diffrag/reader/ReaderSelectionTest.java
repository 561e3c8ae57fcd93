package dev.diffrag.reader;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ReaderSelectionTest {

    @Test
    void answererNamesSelectAShippedOrATrainedReader() {
        assertThat(DiffReaderAnswerer.selectedBy("diff-reader")).contains(DiffReaderAnswerer.DEFAULT);
        assertThat(DiffReaderAnswerer.selectedBy("diff-reader:vanilla-long")).contains("vanilla-long");
        assertThat(DiffReaderAnswerer.selectedBy("diff-reader:runs/top4/diff-v1-bge-top4"))
                .contains("runs/top4/diff-v1-bge-top4");
        assertThat(DiffReaderAnswerer.selectedBy("baseline")).isEmpty();
        assertThat(DiffReaderAnswerer.selectedBy("diff-readers")).isEmpty();
    }
}
