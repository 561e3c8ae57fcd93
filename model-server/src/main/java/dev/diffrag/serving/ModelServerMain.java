package dev.diffrag.serving;

import ai.djl.Device;
import dev.diffrag.cli.CommandLines;
import dev.diffrag.model.Devices;
import io.javalin.util.JavalinBindException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.function.Supplier;

/**
 * {@code java -jar model-server.jar}: a {@link ModelServer} configured by the environment variables of
 * {@link ServerConfig}, on the device {@link Devices} picks ({@code DIFFRAG_DEVICE} overrides), stopped gracefully on
 * SIGTERM. A class of its own, without a logger, so that the logging configuration is chosen before any logger exists.
 */
public final class ModelServerMain {

    private ModelServerMain() {}

    public static void main(String[] args) {
        if (System.getProperty("log4j2.configurationFile") == null) {
            System.setProperty("log4j2.configurationFile", "log4j2-server.properties");
        }
        int status = run(System.getenv(), System.err);
        if (status != 0) {
            System.exit(status); // runs the shutdown hook, if any: web threads would keep a failed server alive
        }
    }

    /** Starts the server {@code env} configures; see {@link #serve}. */
    static int run(Map<String, String> env, PrintStream err) {
        return serve(() -> {
            ServerConfig config = ServerConfig.fromEnv(env);
            Device device = Devices.pick();
            return new ModelServer(config, device, ServedModels.answerer(config), ServedModels.summarizer(config));
        }, err);
    }

    /**
     * Starts the server {@code build} makes: 0 once it serves; 1 after one line on {@code err} when a setting, a
     * model, the port or the model's warm-up request is refused (a stack trace would bury the setting to fix).
     */
    static int serve(Supplier<ModelServer> build, PrintStream err) {
        try {
            ModelServer server = build.get();
            Runtime.getRuntime().addShutdownHook(new Thread(server::close, "model-server-shutdown"));
            server.start();
            return 0;
        } catch (IllegalArgumentException | UncheckedIOException | JavalinBindException
                | ModelServer.WarmUpFailedException e) {
            err.println("error: " + CommandLines.describe(e));
            return 1;
        }
    }
}
