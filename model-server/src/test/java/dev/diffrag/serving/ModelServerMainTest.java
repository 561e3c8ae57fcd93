package dev.diffrag.serving;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.ToIntFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A refused setting, model or warm-up stops the server with one line and a non-zero status, not a stack trace. */
class ModelServerMainTest {

    private static String errorsOf(Map<String, String> env) {
        return errorsOf(err -> ModelServerMain.run(env, err));
    }

    private static String errorsOf(ToIntFunction<PrintStream> main) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int status = main.applyAsInt(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        assertThat(status).isNotZero();
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void aBadNumberIsOneLine() {
        assertThat(errorsOf(Map.of("DIFFRAG_SERVER_PORT", "80a")))
                .isEqualTo("error: DIFFRAG_SERVER_PORT must be a whole number, got '80a'" + System.lineSeparator());
    }

    @Test
    void anUnknownModelIsOneLine() {
        assertThat(errorsOf(Map.of("DIFFRAG_SERVER_ANSWERER", "best-guess")))
                .startsWith("error: unknown answerer 'best-guess'").doesNotContain("\tat ").hasLineCount(1);
    }

    @Test
    void aCheckpointThatCannotBeLoadedIsOneLineThatSaysWhy(@TempDir Path dir) {
        Path missing = dir.resolve("no-such-reader");
        assertThat(errorsOf(Map.of("DIFFRAG_SERVER_ANSWERER", "diff-reader:" + missing)))
                .startsWith("error: cannot load the reader '" + missing + "': ")
                .contains("config.json").hasLineCount(1);
    }

    @Test
    void aModelThatFailsItsWarmUpIsOneLineThatSaysWhy() throws IOException {
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        ServerConfig config = ServerConfig.defaults().withPort(port);

        assertThat(errorsOf(err -> ModelServerMain.serve(
                        () -> new ModelServer(config, Device.cpu(), new BrokenAnswerer(), null), err)))
                .startsWith("error: the model failed its warm-up request: ").contains("no weights").hasLineCount(1);
    }

    @Test
    void aPortInUseIsOneLine() throws IOException {
        try (ServerSocket taken = new ServerSocket(0)) {
            assertThat(errorsOf(Map.of("DIFFRAG_SERVER_PORT", Integer.toString(taken.getLocalPort()),
                            "DIFFRAG_SERVER_ANSWERER", "baseline")))
                    .startsWith("error: Port already in use").hasLineCount(1);
        }
    }
}
