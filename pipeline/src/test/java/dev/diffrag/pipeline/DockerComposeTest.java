package dev.diffrag.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.diffrag.connectors.kafka.KafkaConfig;
import dev.diffrag.connectors.kafka.TopicRole;
import dev.diffrag.pipeline.answer.AnswererFactory;
import dev.diffrag.serving.ServerConfig;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * Checks docker-compose.yml (and the Dockerfiles it builds) against the code: that each container is given only
 * variables its application reads, that the addresses and ports line up, that every service names the same topics,
 * that images are pinned and that the GPU model server reserves a GPU. No Docker needed: the file is parsed.
 */
@SuppressWarnings("unchecked") // the parsed YAML is maps and lists of Object
class DockerComposeTest {

    private static final Path ROOT = Path.of("..");
    private static final Set<String> SERVICES =
            Set.of("kafka", "create-topics", "jobmanager", "taskmanager", "model-server", "model-server-cpu", "demo");
    /** Services running the diffrag CLI or the job: every KAFKA_ / DIFFRAG_ variable must be a setting they read. */
    private static final Set<String> KAFKA_CLIENT_SERVICES = Set.of("create-topics", "jobmanager", "demo");
    private static final Set<String> MODEL_SERVERS = Set.of("model-server", "model-server-cpu");
    /** Read by dev.diffrag.model.Devices. */
    private static final Set<String> DEVICE_VARIABLES = Set.of("DIFFRAG_DEVICE", "DIFFRAG_DTYPE");
    /** Compose's variable substitution: {@code ${NAME}} or {@code ${NAME:-default}}. */
    private static final Pattern INTERPOLATION = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?}");
    private static final Pattern PINNED_IMAGE = Pattern.compile("[a-z0-9./_-]+:([A-Za-z0-9._-]+)");

    private final Map<String, Object> compose = load();
    private final Map<String, Map<String, Object>> services = map(compose.get("services"));

    @SuppressWarnings("unchecked")
    private static <T> Map<String, T> map(Object yaml) {
        return yaml == null ? Map.of() : (Map<String, T>) yaml;
    }

    private static Map<String, Object> load() {
        try {
            return new Yaml().load(Files.readString(ROOT.resolve("docker-compose.yml")));
        } catch (IOException e) {
            throw new AssertionError("cannot read docker-compose.yml", e);
        }
    }

    /** What {@code service} is given when compose runs where none of the variables it interpolates is set. */
    private Map<String, String> environment(String service) {
        return environment(service, Map.of());
    }

    /**
     * What {@code service} is given when compose runs with {@code host} as its environment (and {@code .env} file):
     * {@code ${NAME}} and {@code ${NAME:-default}} are replaced as compose replaces them.
     */
    private Map<String, String> environment(String service, Map<String, String> host) {
        Map<String, String> env = new LinkedHashMap<>();
        map(services.get(service).get("environment")).forEach((name, value) -> {
            Matcher m = INTERPOLATION.matcher(String.valueOf(value));
            StringBuilder resolved = new StringBuilder();
            while (m.find()) {
                String hostValue = host.get(m.group(1));
                String fallback = m.group(2) == null ? "" : m.group(2);
                m.appendReplacement(resolved, Matcher.quoteReplacement(
                        hostValue == null || hostValue.isEmpty() ? fallback : hostValue));
            }
            env.put(name, m.appendTail(resolved).toString());
        });
        return env;
    }

    @Test
    void theStackHasItsServices() {
        assertThat(services.keySet()).containsExactlyInAnyOrderElementsOf(SERVICES);
    }

    @Test
    void everyImageIsPinnedToATagThatIsNotLatest() throws IOException {
        List<String> images = new ArrayList<>();
        services.forEach((name, service) -> {
            assertThat(service.get("image")).as("image of " + name).isNotNull();
            images.add((String) service.get("image"));
        });
        for (String dockerfile : List.of("model-server/Dockerfile", "pipeline/Dockerfile", "connectors/Dockerfile")) {
            Dockerfile file = Dockerfile.read(ROOT.resolve(dockerfile));
            for (Stage stage : file.stages()) {
                String from = file.resolve(stage.from(), Map.of());
                if (!file.isStage(from)) {
                    images.add(from);
                }
            }
        }
        assertThat(images).hasSizeGreaterThan(SERVICES.size());
        for (String image : images) {
            Matcher m = PINNED_IMAGE.matcher(image);
            assertThat(m.matches()).as(image + " has a tag").isTrue();
            assertThat(m.group(1)).as(image).isNotEqualTo("latest");
        }
        assertThat(services.get("kafka").get("image")).as("the broker matches the Kafka clients")
                .isEqualTo("apache/kafka:" + org.apache.kafka.common.utils.AppInfoParser.getVersion());
    }

    @Test
    void theGpuModelServerReservesAnNvidiaGpuAndTheCpuVariantDoesNot() {
        Map<String, Object> gpu = services.get("model-server");
        Map<String, Object> resources = map(map(gpu.get("deploy")).get("resources"));
        List<Map<String, Object>> devices = (List<Map<String, Object>>) map(resources.get("reservations")).get("devices");
        assertThat(devices).singleElement().satisfies(device -> {
            assertThat(device.get("driver")).isEqualTo("nvidia");
            assertThat((List<String>) device.get("capabilities")).contains("gpu");
        });
        assertThat(map(map(gpu.get("build")).get("args"))).containsEntry("PYTORCH_NATIVE", "pytorch-native-cu124");
        assertThat((List<String>) gpu.get("profiles")).containsExactly("gpu");

        Map<String, Object> cpu = services.get("model-server-cpu");
        assertThat(cpu).doesNotContainKey("deploy");
        assertThat(map(map(cpu.get("build")).get("args"))).containsEntry("PYTORCH_NATIVE", "pytorch-native-cpu");
        assertThat(environment("model-server-cpu")).containsEntry("DIFFRAG_DEVICE", "cpu");
        assertThat((List<String>) cpu.get("profiles")).containsExactly("cpu");
        for (String server : MODEL_SERVERS) {
            assertThat(map(map(map(services.get(server).get("networks")).get("default"))).get("aliases"))
                    .as("%s answers as model-server", server).isEqualTo(List.of("model-server"));
        }
    }

    /**
     * DJL loads the CUDA libtorch only where it sees a GPU, and it counts GPUs through the CUDA runtime library
     * (libcudart), which a JRE image lacks and the NVIDIA container toolkit does not add (it mounts the driver). On
     * such an image DJL takes the bundled cu124 build for one that does not match the machine and, offline, the model
     * server does not start. So the CUDA build must run on NVIDIA's CUDA runtime image of its CUDA version.
     */
    @Test
    void eachModelServerRunsOnABaseItsLibtorchLoadsOn() throws IOException {
        for (String server : MODEL_SERVERS) {
            Map<String, Object> build = map(services.get(server).get("build"));
            Map<String, String> args = map(build.get("args"));
            Dockerfile dockerfile = Dockerfile.read(ROOT.resolve((String) build.get("dockerfile")));
            String base = dockerfile.runtimeImage(args);
            if (args.get("PYTORCH_NATIVE").equals("pytorch-native-cu124")) {
                assertThat(base).as("runtime image of " + server).startsWith("nvidia/cuda:12.4.").contains("-runtime-");
            } else {
                assertThat(base).as("runtime image of " + server).startsWith("eclipse-temurin:17");
            }
        }
        assertThat(Dockerfile.read(ROOT.resolve("model-server/Dockerfile")).runtimeImage(Map.of()))
                .as("the default build, the CUDA one").startsWith("nvidia/cuda:12.4.");
    }

    @Test
    void kafkaClientsAreGivenOnlySettingsTheyReadAndAgreeOnBrokerAndTopics() throws IOException {
        Set<String> known = new HashSet<>();
        for (String key : settingKeys(KafkaConfig.class)) {
            known.add(KafkaConfig.envName(key));
        }
        for (TopicRole role : TopicRole.values()) {
            known.add(KafkaConfig.envName(KafkaConfig.topicKey(role)));
            known.add(KafkaConfig.envName(KafkaConfig.partitionsKey(role)));
        }
        for (String key : settingKeys(PipelineConfig.class)) {
            known.add(KafkaConfig.envName(key));
        }
        String clientPrefix = KafkaConfig.envName(KafkaConfig.CLIENT_PREFIX);
        String demoScript = Files.readString(ROOT.resolve("connectors/src/main/docker/demo.sh"));

        Map<TopicRole, String> topics = null;
        for (String service : KAFKA_CLIENT_SERVICES) {
            Map<String, String> env = environment(service);
            for (String name : env.keySet()) {
                if (name.startsWith("DEMO_")) {
                    assertThat(demoScript).as("demo.sh reads " + name).contains("${" + name);
                } else if (!name.equals("FLINK_PROPERTIES")) {
                    assertThat(known.contains(name) || name.startsWith(clientPrefix))
                            .as("%s of %s is a setting of KafkaConfig or PipelineConfig", name, service).isTrue();
                }
            }
            KafkaConfig kafka = KafkaConfig.fromEnv(env);
            assertThat(kafka.bootstrapServers()).as("broker of " + service).isEqualTo(internalBroker());
            Map<TopicRole, String> names = new LinkedHashMap<>();
            for (TopicRole role : TopicRole.values()) {
                names.put(role, kafka.topic(role));
            }
            if (topics != null) {
                assertThat(names).as("topics of " + service).isEqualTo(topics);
            }
            topics = names;
        }
    }

    @Test
    void theJobCallsTheModelServerWhereItListens() {
        PipelineConfig job = PipelineConfig.fromEnv(environment("jobmanager"));
        assertThat(job.answer().answerer()).isEqualTo("remote");
        AnswererFactory.of(job.answer()); // a known answerer with everything it needs
        URI remote = URI.create(job.answer().remote().url());
        assertThat(remote.getHost()).isEqualTo("model-server");

        for (String server : MODEL_SERVERS) {
            Map<String, String> env = environment(server);
            for (String name : env.keySet()) {
                assertThat(DEVICE_VARIABLES.contains(name)
                                || ServerConfig.KEYS.stream().map(ServerConfig::envName).anyMatch(name::equals))
                        .as("%s of %s is a setting of ServerConfig or Devices", name, server).isTrue();
            }
            ServerConfig config = ServerConfig.fromEnv(env);
            assertThat(config.port()).as("port of " + server).isEqualTo(remote.getPort());
            assertThat((List<String>) services.get(server).get("ports")).contains(config.port() + ":" + config.port());
            assertThat(healthcheck(server)).contains("http://localhost:" + config.port() + "/readyz");
        }
        URI demoWait = URI.create(environment("demo").get("DEMO_WAIT_FOR_URL"));
        assertThat(demoWait.getHost() + ":" + demoWait.getPort() + demoWait.getPath())
                .isEqualTo(remote.getHost() + ":" + remote.getPort() + "/readyz");
    }

    /**
     * README.md: "set DIFFRAG_SERVER_TOKEN on the model server and DIFFRAG_ANSWER_REMOTE_TOKEN on the job manager from
     * your environment (e.g. an .env file)". Compose hands a container only the variables its service lists, so each
     * must be listed, taken from the host; unset there, the server and the job run without a token.
     */
    @Test
    void bearerTokensComeFromTheHostEnvironment() {
        Map<String, String> host = Map.of("DIFFRAG_SERVER_TOKEN", "s3cret", "DIFFRAG_ANSWER_REMOTE_TOKEN", "s3cret");
        for (String server : MODEL_SERVERS) {
            assertThat(ServerConfig.fromEnv(environment(server, host)).token()).as("token of " + server)
                    .isEqualTo("s3cret");
            assertThat(ServerConfig.fromEnv(environment(server)).token()).as("token of " + server + " unset").isNull();
        }
        assertThat(PipelineConfig.fromEnv(environment("jobmanager", host)).answer().remote().token())
                .isEqualTo("s3cret");
        assertThat(PipelineConfig.fromEnv(environment("jobmanager")).answer().remote().token()).isNull();
    }

    @Test
    void portsAndDependenciesLineUp() {
        Map<String, String> kafka = environment("kafka");
        assertThat(kafka.get("KAFKA_LISTENERS")).contains("EXTERNAL://:29092");
        assertThat(kafka.get("KAFKA_ADVERTISED_LISTENERS")).contains("EXTERNAL://localhost:29092");
        assertThat((List<String>) services.get("kafka").get("ports")).containsExactly("29092:29092");
        assertThat((List<String>) services.get("jobmanager").get("ports")).containsExactly("8081:8081");
        assertThat(healthcheck("jobmanager")).contains("http://localhost:8081/");

        services.forEach((name, service) -> map(service.get("depends_on")).forEach((dependency, how) -> {
            assertThat(SERVICES).as(name + " depends on a service of the stack").contains(dependency);
            String condition = (String) map(how).get("condition");
            assertThat(condition).as("%s waits for %s with a condition", name, dependency).isNotNull();
            if (condition.equals("service_healthy")) {
                assertThat(services.get(dependency)).as(dependency + " has a healthcheck").containsKey("healthcheck");
            }
        }));
        assertThat(map(services.get("jobmanager").get("depends_on"))).containsKey("create-topics");
        assertThat((List<String>) services.get("create-topics").get("command")).containsExactly("create-topics");
    }

    /** A FROM line: the image or stage it starts from (as written, with its ${ARG}s) and the stage's name, if any. */
    private record Stage(String from, String name) {}

    /** The stages of a Dockerfile and the defaults of the ARGs declared before its first FROM (those FROM lines read). */
    private record Dockerfile(List<Stage> stages, Map<String, String> args) {

        private static final Pattern ARG = Pattern.compile("\\$\\{?([A-Za-z_][A-Za-z0-9_]*)}?");

        static Dockerfile read(Path path) throws IOException {
            List<Stage> stages = new ArrayList<>();
            Map<String, String> args = new LinkedHashMap<>();
            for (String line : Files.readAllLines(path)) {
                String[] words = line.trim().split("\\s+");
                if (words[0].equals("FROM")) {
                    stages.add(new Stage(words[1], words.length >= 4 && words[2].equalsIgnoreCase("AS") ? words[3] : null));
                } else if (words[0].equals("ARG") && stages.isEmpty() && words[1].contains("=")) {
                    args.put(words[1].substring(0, words[1].indexOf('=')), words[1].substring(words[1].indexOf('=') + 1));
                }
            }
            return new Dockerfile(stages, args);
        }

        /** {@code reference} with its ARGs replaced by {@code buildArgs}, else by their defaults. */
        String resolve(String reference, Map<String, String> buildArgs) {
            return ARG.matcher(reference).replaceAll(m -> Matcher.quoteReplacement(
                    buildArgs.getOrDefault(m.group(1), args.getOrDefault(m.group(1), ""))));
        }

        boolean isStage(String reference) {
            return stages.stream().anyMatch(stage -> reference.equals(stage.name()));
        }

        /** The image the last stage runs on when built with {@code buildArgs}, following the stages it starts from. */
        String runtimeImage(Map<String, String> buildArgs) {
            String reference = resolve(stages.get(stages.size() - 1).from(), buildArgs);
            while (isStage(reference)) {
                String name = reference;
                reference = resolve(stages.stream().filter(s -> name.equals(s.name())).findFirst().orElseThrow().from(),
                        buildArgs);
            }
            return reference;
        }
    }

    /** The broker address containers use: the INTERNAL advertised listener of the kafka service. */
    private String internalBroker() {
        for (String listener : environment("kafka").get("KAFKA_ADVERTISED_LISTENERS").split(",")) {
            if (listener.startsWith("INTERNAL://")) {
                return listener.substring("INTERNAL://".length());
            }
        }
        throw new AssertionError("kafka advertises no INTERNAL listener");
    }

    private String healthcheck(String service) {
        Object test = map(services.get(service).get("healthcheck")).get("test");
        return String.valueOf(test);
    }

    /** The values of the public String constants of {@code type} that are setting keys ({@code kafka.*}, {@code diffrag.*}). */
    private static List<String> settingKeys(Class<?> type) {
        List<String> keys = new ArrayList<>();
        for (Field field : type.getFields()) {
            if (Modifier.isStatic(field.getModifiers()) && field.getType() == String.class) {
                try {
                    String value = (String) field.get(null);
                    if ((value.startsWith("kafka.") || value.startsWith("diffrag.")) && !value.endsWith(".")) {
                        keys.add(value);
                    }
                } catch (IllegalAccessException e) {
                    throw new AssertionError(e);
                }
            }
        }
        assertThat(keys).as("setting keys of " + type.getSimpleName()).isNotEmpty();
        return keys;
    }
}
