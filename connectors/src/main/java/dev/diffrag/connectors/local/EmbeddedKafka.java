package dev.diffrag.connectors.local;

import dev.diffrag.connectors.kafka.KafkaConfig;
import java.util.Map;
import kafka.server.BrokerServer;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.apache.kafka.common.test.JaasUtils;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;

/**
 * A single-node Kafka cluster in this JVM (KRaft, one process acting as controller and broker), for tests, the CLI
 * tests and the local demo stack. Its data lives in a temporary directory deleted on {@link #close()}.
 *
 * <p>The broker can be stopped and started again on the same port with its data kept, so fault-tolerance tests can
 * take Kafka away from a running job; the controller keeps running meanwhile.
 */
public final class EmbeddedKafka implements AutoCloseable {
    /**
     * Settings a single broker needs (internal topics cannot have 3 replicas) and that make tests fast. The short
     * broker session lets a restarted broker register again after 4 s instead of 9 s: the controller refuses a new
     * registration of a node id until the previous one's session has expired.
     */
    private static final Map<String, String> BROKER_SETTINGS = Map.of(
            "broker.session.timeout.ms", "4000",
            "broker.heartbeat.interval.ms", "500",
            "offsets.topic.replication.factor", "1",
            "offsets.topic.num.partitions", "1",
            "transaction.state.log.replication.factor", "1",
            "transaction.state.log.min.isr", "1",
            "transaction.state.log.num.partitions", "1",
            "group.initial.rebalance.delay.ms", "0",
            "num.partitions", "1");

    /** The SASL/PLAIN user of {@link #startWithSaslPlain()}: the test kit's super user, allowed everything. */
    public static final String SASL_USER = JaasUtils.KAFKA_PLAIN_ADMIN;
    public static final String SASL_PASSWORD = JaasUtils.KAFKA_PLAIN_ADMIN_PASSWORD;

    private final KafkaClusterTestKit cluster;
    private final String bootstrapServers;
    private final Map<String, String> clientSecurityProperties;

    private EmbeddedKafka(KafkaClusterTestKit cluster, Map<String, String> clientSecurityProperties) {
        this.cluster = cluster;
        this.bootstrapServers = cluster.bootstrapServers();
        this.clientSecurityProperties = clientSecurityProperties;
    }

    /** Formats storage, starts the node and waits until the broker accepts clients over plaintext. */
    public static EmbeddedKafka start() {
        return start(SecurityProtocol.PLAINTEXT, Map.of());
    }

    /**
     * Like {@link #start()} but clients must authenticate with SASL/PLAIN as {@link #SASL_USER}; other users are
     * denied by the authorizer. For tests that prove security settings reach the clients. Sets the JVM-wide
     * {@code java.security.auth.login.config} to the broker's JAAS file, as the test kit does.
     */
    public static EmbeddedKafka startWithSaslPlain() {
        return start(SecurityProtocol.SASL_PLAINTEXT, Map.of(
                "security.protocol", SecurityProtocol.SASL_PLAINTEXT.name,
                "sasl.mechanism", "PLAIN",
                "sasl.jaas.config", plainJaasConfig(SASL_USER, SASL_PASSWORD)));
    }

    /** The {@code sasl.jaas.config} value that logs in as {@code user} with SASL/PLAIN. */
    public static String plainJaasConfig(String user, String password) {
        return "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"" + user
                + "\" password=\"" + password + "\";";
    }

    private static EmbeddedKafka start(SecurityProtocol protocol, Map<String, String> clientSecurityProperties) {
        KafkaClusterTestKit cluster = null;
        try {
            TestKitNodes nodes = new TestKitNodes.Builder()
                    .setCombined(true)
                    .setNumBrokerNodes(1)
                    .setNumControllerNodes(1)
                    .setBrokerSecurityProtocol(protocol)
                    .build();
            KafkaClusterTestKit.Builder builder = new KafkaClusterTestKit.Builder(nodes);
            BROKER_SETTINGS.forEach(builder::setConfigProp);
            if (protocol != SecurityProtocol.PLAINTEXT) {
                // The controller listener stays plaintext, so the node registers itself as ANONYMOUS; the test
                // kit's authorizer would deny that. Clients only reach the SASL listener, where nobody is anonymous.
                builder.setConfigProp("super.users", "User:" + SASL_USER + ";User:ANONYMOUS");
            }
            cluster = builder.build();
            cluster.format();
            cluster.startup();
            cluster.waitForReadyBrokers();
            return new EmbeddedKafka(cluster, clientSecurityProperties);
        } catch (Exception e) {
            closeQuietly(cluster, e);
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            throw new IllegalStateException("cannot start the embedded Kafka broker: " + e.getMessage(), e);
        }
    }

    /** {@code host:port} of the broker; unchanged by {@link #restartBroker()}. */
    public String bootstrapServers() {
        return bootstrapServers;
    }

    /** The client properties this broker requires: none, or the SASL/PLAIN login of {@link #startWithSaslPlain()}. */
    public Map<String, String> clientSecurityProperties() {
        return clientSecurityProperties;
    }

    /** A configuration with default settings pointing at this broker, with the security it requires. */
    public KafkaConfig config() {
        return KafkaConfig.builder().bootstrapServers(bootstrapServers).clientProperties(clientSecurityProperties).build();
    }

    /** Stops the broker (clients see it go away); its data and the controller stay. */
    public void stopBroker() {
        broker().shutdown();
    }

    /** Starts a stopped broker again on the same port and waits until it accepts clients. */
    public void startBroker() {
        broker().startup();
        try {
            cluster.waitForReadyBrokers();
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            throw new IllegalStateException("the restarted broker did not become ready: " + e.getMessage(), e);
        }
    }

    public void restartBroker() {
        stopBroker();
        startBroker();
    }

    private BrokerServer broker() {
        return cluster.brokers().values().iterator().next();
    }

    @Override
    public void close() {
        try {
            cluster.close();
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            throw new IllegalStateException("cannot stop the embedded Kafka broker: " + e.getMessage(), e);
        }
    }

    private static void closeQuietly(KafkaClusterTestKit cluster, Exception cause) {
        if (cluster == null) {
            return;
        }
        try {
            cluster.close();
        } catch (Exception e) {
            cause.addSuppressed(e);
        }
    }
}
