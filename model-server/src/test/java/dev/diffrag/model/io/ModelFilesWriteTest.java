package dev.diffrag.model.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A JSON file is written whole or not at all, into its folder whether or not that exists yet. */
class ModelFilesWriteTest {

    @TempDir
    Path folder;

    /** Serializes as an object whose second field fails, after the first has been written. */
    public record FailsMidway(String first) {
        public String getSecond() {
            throw new IllegalStateException("cannot serialize");
        }
    }

    @Test
    void aFailedWriteLeavesTheEarlierFileAsItWasAndNoPartialFile() throws IOException {
        Path file = folder.resolve("calibration.json");
        ModelFiles.writeJson(file, Map.of("abstainThreshold", 0.4));
        String before = Files.readString(file);
        Map<String, Object> value = new LinkedHashMap<>();
        value.put("padding", "x".repeat(100_000)); // more than Jackson buffers before it first writes to the file
        value.put("broken", new FailsMidway("a"));

        assertThatThrownBy(() -> ModelFiles.writeJson(file, value)).isInstanceOf(IOException.class);

        assertThat(Files.readString(file)).isEqualTo(before);
        try (var files = Files.list(folder)) {
            assertThat(files.map(f -> f.getFileName().toString()).toList()).containsExactly("calibration.json");
        }
    }

    @Test
    void theFileIsWrittenIntoAFolderThatDoesNotExistYet() throws IOException {
        Path file = folder.resolve("reader-runs/calibration.json");
        ModelFiles.writeJson(file, List.of(1, 2));
        assertThat(ModelFiles.JSON.readTree(file.toFile()).size()).isEqualTo(2);
    }
}
