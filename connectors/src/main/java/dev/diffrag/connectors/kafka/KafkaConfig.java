package dev.diffrag.connectors.kafka;

import java.io.IOException;
import java.io.Reader;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * Everything the project needs to talk to Kafka, in one immutable, serializable object: every source, sink, client
 * and the topic creation are built from it, so a security setting given once reaches all of them.
 *
 * <p>Loaded from a properties file ({@link #fromProperties}) or the environment ({@link #fromEnv}); the environment
 * variable of a key is the key upper-cased with dots and dashes turned into underscores
 * ({@code diffrag.topic.dead-letter} → {@code DIFFRAG_TOPIC_DEAD_LETTER}). Kafka client properties pass through
 * verbatim from keys {@code kafka.client.<property>} or variables {@code KAFKA_CLIENT_<PROPERTY>}
 * ({@code KAFKA_CLIENT_SASL_JAAS_CONFIG} → {@code sasl.jaas.config}). See connectors/README.md.
 */
public final class KafkaConfig implements Serializable {
    private static final long serialVersionUID = 1L;

    public static final String BOOTSTRAP_SERVERS = "kafka.bootstrap.servers";
    public static final String CLIENT_PREFIX = "kafka.client.";
    public static final String TOPIC_PREFIX = "diffrag.topic.";
    public static final String DEFAULT_PARTITIONS = "diffrag.topic.partitions";
    public static final String REPLICATION_FACTOR = "diffrag.topic.replication-factor";
    public static final String GROUP_ID = "diffrag.group-id";
    public static final String STARTING_OFFSETS = "diffrag.starting-offsets";
    public static final String DELIVERY_GUARANTEE = "diffrag.delivery-guarantee";
    public static final String TRANSACTIONAL_ID_PREFIX = "diffrag.transactional-id-prefix";

    private final String bootstrapServers;
    private final EnumMap<TopicRole, String> topicNames;
    /** Only the roles given their own count; the others take {@link #defaultPartitions}. */
    private final EnumMap<TopicRole, Integer> partitions;
    private final int defaultPartitions;
    private final short replicationFactor;
    private final String groupId;
    private final StartingOffsets startingOffsets;
    private final DeliveryGuarantee deliveryGuarantee;
    private final String transactionalIdPrefix;
    private final TreeMap<String, String> clientProperties;

    private KafkaConfig(Builder b) {
        this.bootstrapServers = b.bootstrapServers;
        this.topicNames = new EnumMap<>(b.topicNames);
        this.partitions = new EnumMap<>(b.partitions);
        this.defaultPartitions = b.defaultPartitions;
        this.replicationFactor = b.replicationFactor;
        this.groupId = b.groupId;
        this.startingOffsets = b.startingOffsets;
        this.deliveryGuarantee = b.deliveryGuarantee;
        this.transactionalIdPrefix = b.transactionalIdPrefix;
        this.clientProperties = new TreeMap<>(b.clientProperties);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding this configuration's values, to derive a variant (another broker, another group). */
    public Builder toBuilder() {
        Builder b = new Builder()
                .bootstrapServers(bootstrapServers)
                .defaultPartitions(defaultPartitions)
                .replicationFactor(replicationFactor)
                .groupId(groupId)
                .startingOffsets(startingOffsets)
                .deliveryGuarantee(deliveryGuarantee)
                .transactionalIdPrefix(transactionalIdPrefix)
                .clientProperties(clientProperties);
        topicNames.forEach(b::topic);
        partitions.forEach(b::partitions);
        return b;
    }

    /** Reads the {@code KAFKA_*} and {@code DIFFRAG_*} variables of this process's environment. */
    public static KafkaConfig fromEnv() {
        return fromEnv(System.getenv());
    }

    /** Reads the variables of {@code env} that name a configuration key; other variables are ignored. */
    public static KafkaConfig fromEnv(Map<String, String> env) {
        return fromProperties(propertiesFromEnv(env));
    }

    /**
     * The configuration keys set by the variables of {@code env}, so a caller can layer a file or command-line
     * options over the environment before {@link #builderFromProperties}.
     */
    public static Properties propertiesFromEnv(Map<String, String> env) {
        Properties properties = new Properties();
        for (String key : knownKeys()) {
            String value = env.get(envName(key));
            if (value != null) {
                properties.setProperty(key, value);
            }
        }
        String clientEnvPrefix = envName(CLIENT_PREFIX);
        env.forEach((name, value) -> {
            if (name.startsWith(clientEnvPrefix) && name.length() > clientEnvPrefix.length()) {
                String property = name.substring(clientEnvPrefix.length()).toLowerCase(Locale.ROOT).replace('_', '.');
                properties.setProperty(CLIENT_PREFIX + property, value);
            }
        });
        return properties;
    }

    /**
     * The keys of a properties file such as {@code diffrag.properties}, read as UTF-8 as editors write it
     * ({@code Properties.load(InputStream)} would read ISO-8859-1), so that the CLI and the job read a non-ASCII
     * password in the file alike.
     *
     * @throws IOException also for a malformed Unicode escape, which {@link Properties#load(Reader)} reports as an
     *                     {@link IllegalArgumentException}: the callers name the file only for an IOException
     */
    public static Properties propertiesFromFile(Path file) throws IOException {
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            properties.load(reader);
        } catch (IllegalArgumentException e) {
            throw new IOException(e.getMessage(), e);
        }
        return properties;
    }

    /** Reads the keys documented above from {@code properties}; other keys are ignored. */
    public static KafkaConfig fromProperties(Properties properties) {
        return builderFromProperties(properties).build();
    }

    public static Builder builderFromProperties(Properties properties) {
        Builder b = builder();
        for (String key : properties.stringPropertyNames()) {
            String value = properties.getProperty(key);
            if (key.startsWith(CLIENT_PREFIX)) {
                b.clientProperty(key.substring(CLIENT_PREFIX.length()), value);
            }
        }
        ifPresent(properties, BOOTSTRAP_SERVERS, b::bootstrapServers);
        ifPresent(properties, DEFAULT_PARTITIONS, v -> b.defaultPartitions(ConfigValues.parsePositiveInt(DEFAULT_PARTITIONS, v)));
        ifPresent(properties, REPLICATION_FACTOR,
                v -> b.replicationFactor(ConfigValues.parsePositiveShort(REPLICATION_FACTOR, v)));
        ifPresent(properties, GROUP_ID, b::groupId);
        ifPresent(properties, STARTING_OFFSETS, v -> b.startingOffsets(StartingOffsets.parse(v)));
        ifPresent(properties, DELIVERY_GUARANTEE, v -> b.deliveryGuarantee(DeliveryGuarantee.parse(v)));
        ifPresent(properties, TRANSACTIONAL_ID_PREFIX, b::transactionalIdPrefix);
        for (TopicRole role : TopicRole.values()) {
            ifPresent(properties, topicKey(role), v -> b.topic(role, v));
            String partitionsKey = partitionsKey(role);
            ifPresent(properties, partitionsKey, v -> b.partitions(role, ConfigValues.parsePositiveInt(partitionsKey, v)));
        }
        return b;
    }

    /** The environment variable that sets {@code key}: {@code diffrag.topic.dead-letter} → {@code DIFFRAG_TOPIC_DEAD_LETTER}. */
    public static String envName(String key) {
        return key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    public static String topicKey(TopicRole role) {
        return TOPIC_PREFIX + role.defaultName();
    }

    public static String partitionsKey(TopicRole role) {
        return TOPIC_PREFIX + role.defaultName() + ".partitions";
    }

    private static List<String> knownKeys() {
        List<String> keys = new ArrayList<>(List.of(BOOTSTRAP_SERVERS, DEFAULT_PARTITIONS,
                REPLICATION_FACTOR, GROUP_ID, STARTING_OFFSETS, DELIVERY_GUARANTEE, TRANSACTIONAL_ID_PREFIX));
        for (TopicRole role : TopicRole.values()) {
            keys.add(topicKey(role));
            keys.add(partitionsKey(role));
        }
        return keys;
    }

    private static void ifPresent(Properties properties, String key, Consumer<String> setter) {
        String value = properties.getProperty(key);
        if (value != null && !value.isBlank()) {
            setter.accept(value.trim());
        }
    }

    public String bootstrapServers() {
        return bootstrapServers;
    }

    public String topic(TopicRole role) {
        return topicNames.get(role);
    }

    public String documentsTopic() {
        return topic(TopicRole.DOCUMENTS);
    }

    public String questionsTopic() {
        return topic(TopicRole.QUESTIONS);
    }

    public String answersTopic() {
        return topic(TopicRole.ANSWERS);
    }

    public String summariesTopic() {
        return topic(TopicRole.SUMMARIES);
    }

    public String deadLetterTopic() {
        return topic(TopicRole.DEAD_LETTER);
    }

    /** Partition count used when {@link TopicAdmin#ensureTopics} creates the role's topic. */
    public int partitions(TopicRole role) {
        return partitions.getOrDefault(role, defaultPartitions);
    }

    public short replicationFactor() {
        return replicationFactor;
    }

    public String groupId() {
        return groupId;
    }

    public StartingOffsets startingOffsets() {
        return startingOffsets;
    }

    public DeliveryGuarantee deliveryGuarantee() {
        return deliveryGuarantee;
    }

    public String transactionalIdPrefix() {
        return transactionalIdPrefix;
    }

    /** The Kafka client properties passed verbatim to every client (security, timeouts, ...), sorted by name. */
    public Map<String, String> clientProperties() {
        return Collections.unmodifiableMap(clientProperties);
    }

    /**
     * The properties every Kafka client starts from: the pass-through properties plus {@code bootstrap.servers}.
     * Each factory adds only what its client needs on top.
     */
    public Properties baseClientProperties() {
        Properties properties = new Properties();
        properties.putAll(clientProperties);
        properties.setProperty("bootstrap.servers", bootstrapServers);
        return properties;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof KafkaConfig other)) {
            return false;
        }
        return defaultPartitions == other.defaultPartitions
                && replicationFactor == other.replicationFactor
                && bootstrapServers.equals(other.bootstrapServers)
                && topicNames.equals(other.topicNames)
                && partitions.equals(other.partitions)
                && groupId.equals(other.groupId)
                && startingOffsets == other.startingOffsets
                && deliveryGuarantee == other.deliveryGuarantee
                && transactionalIdPrefix.equals(other.transactionalIdPrefix)
                && clientProperties.equals(other.clientProperties);
    }

    @Override
    public int hashCode() {
        return Objects.hash(bootstrapServers, topicNames, partitions, defaultPartitions, replicationFactor, groupId,
                startingOffsets, deliveryGuarantee, transactionalIdPrefix, clientProperties);
    }

    /** Never prints client property values: they may hold passwords ({@code sasl.jaas.config}, key store passwords). */
    @Override
    public String toString() {
        return "KafkaConfig{bootstrapServers=" + bootstrapServers + ", topics=" + topicNames + ", partitions=" + partitions
                + ", defaultPartitions=" + defaultPartitions
                + ", replicationFactor=" + replicationFactor + ", groupId=" + groupId + ", startingOffsets="
                + startingOffsets + ", deliveryGuarantee=" + deliveryGuarantee + ", transactionalIdPrefix="
                + transactionalIdPrefix + ", clientProperties=" + clientProperties.keySet() + "}";
    }

    public static final class Builder {
        private String bootstrapServers = "localhost:9092";
        private final EnumMap<TopicRole, String> topicNames = new EnumMap<>(TopicRole.class);
        private final EnumMap<TopicRole, Integer> partitions = new EnumMap<>(TopicRole.class);
        private int defaultPartitions = 2;
        private short replicationFactor = 1;
        private String groupId = "diffrag";
        private StartingOffsets startingOffsets = StartingOffsets.EARLIEST;
        private DeliveryGuarantee deliveryGuarantee = DeliveryGuarantee.AT_LEAST_ONCE;
        private String transactionalIdPrefix = "diffrag";
        private final TreeMap<String, String> clientProperties = new TreeMap<>();

        private Builder() {
            for (TopicRole role : TopicRole.values()) {
                topicNames.put(role, role.defaultName());
            }
        }

        /** Comma-separated {@code host:port} list; default {@code localhost:9092}. */
        public Builder bootstrapServers(String servers) {
            this.bootstrapServers = requireText(servers, "bootstrap servers");
            return this;
        }

        public Builder topic(TopicRole role, String name) {
            topicNames.put(role, requireText(name, "topic name of " + role));
            return this;
        }

        /** Partitions of every topic without its own count; default 2. */
        public Builder defaultPartitions(int count) {
            this.defaultPartitions = requirePositive(count, "partitions");
            return this;
        }

        public Builder partitions(TopicRole role, int count) {
            partitions.put(role, requirePositive(count, "partitions of " + role));
            return this;
        }

        /** Replication factor of created topics; default 1 (a single local broker). */
        public Builder replicationFactor(short factor) {
            this.replicationFactor = (short) requirePositive(factor, "replication factor");
            return this;
        }

        /** Consumer group of the job's sources; default {@code diffrag}. */
        public Builder groupId(String groupId) {
            this.groupId = requireText(groupId, "group id");
            return this;
        }

        public Builder startingOffsets(StartingOffsets offsets) {
            this.startingOffsets = Objects.requireNonNull(offsets, "starting offsets");
            return this;
        }

        public Builder deliveryGuarantee(DeliveryGuarantee guarantee) {
            this.deliveryGuarantee = Objects.requireNonNull(guarantee, "delivery guarantee");
            return this;
        }

        /** Prefix of the sinks' Kafka transactional ids under exactly-once; unique per job on a cluster. */
        public Builder transactionalIdPrefix(String prefix) {
            this.transactionalIdPrefix = requireText(prefix, "transactional id prefix");
            return this;
        }

        /**
         * A Kafka client property passed verbatim to every client, e.g. {@code security.protocol=SASL_SSL}.
         * {@code bootstrap.servers} is rejected here: it has its own setting, so two values can never disagree.
         */
        public Builder clientProperty(String name, String value) {
            name = requireText(name, "client property name");
            if (name.equals("bootstrap.servers")) {
                throw new IllegalArgumentException(
                        "set bootstrap servers with " + BOOTSTRAP_SERVERS + " / " + envName(BOOTSTRAP_SERVERS)
                                + ", not as a client property");
            }
            clientProperties.put(name, Objects.requireNonNull(value, "value of client property " + name));
            return this;
        }

        public Builder clientProperties(Map<String, String> properties) {
            properties.forEach(this::clientProperty);
            return this;
        }

        public KafkaConfig build() {
            return new KafkaConfig(this);
        }

        private static String requireText(String value, String what) {
            if (value == null || value.isBlank()) {
                throw new IllegalArgumentException(what + " must not be empty");
            }
            return value.trim();
        }

        private static int requirePositive(int value, String what) {
            if (value <= 0) {
                throw new IllegalArgumentException(what + " must be positive, got " + value);
            }
            return value;
        }
    }
}
