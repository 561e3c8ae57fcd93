package dev.diffrag.serving;

import ai.djl.Device;
import dev.diffrag.model.Devices;

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
        ServerConfig config = ServerConfig.fromEnv(System.getenv());
        Device device = Devices.pick();
        ModelServer server = new ModelServer(
                config, device, ServedModels.answerer(config), ServedModels.summarizer(config));
        Runtime.getRuntime().addShutdownHook(new Thread(server::close, "model-server-shutdown"));
        server.start();
    }
}
