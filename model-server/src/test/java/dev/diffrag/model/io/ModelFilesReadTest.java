package dev.diffrag.model.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A config file is read strictly: what it says is what the model gets, or an error. */
class ModelFilesReadTest {

    @TempDir
    Path folder;

    public record Sizes(int maxLength) {}

    @Test
    void aFractionForAWholeNumberIsAnErrorNotCutDown() throws IOException {
        // "maxLength": 64.9 loaded as 64.
        Files.writeString(folder.resolve(ModelFiles.CONFIG), "{\"maxLength\": 64.9}");

        assertThatThrownBy(() -> ModelFiles.readConfig(folder, Sizes.class)).isInstanceOf(IOException.class)
                .hasMessageContaining("64.9");
    }

    @Test
    void aWholeNumberIsRead() throws IOException {
        Files.writeString(folder.resolve(ModelFiles.CONFIG), "{\"maxLength\": 64}");

        assertThat(ModelFiles.readConfig(folder, Sizes.class).maxLength()).isEqualTo(64);
    }
}
