package dev.diffrag.connectors.local;

import dev.diffrag.connectors.kafka.KafkaConfig;
import java.util.Map;
import kafka.server.BrokerServer;
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

    private final KafkaClusterTestKit cluster;
    private final String bootstrapServers;

    private EmbeddedKafka(KafkaClusterTestKit cluster) {
        this.cluster = cluster;
        this.bootstrapServers = cluster.bootstrapServers();
    }

    /** Formats storage, starts the node and waits until the broker accepts clients. */
    public static EmbeddedKafka start() {
        KafkaClusterTestKit cluster = null;
        try {
            TestKitNodes nodes = new TestKitNodes.Builder()
                    .setCombined(true)
                    .setNumBrokerNodes(1)
                    .setNumControllerNodes(1)
                    .build();
            KafkaClusterTestKit.Builder builder = new KafkaClusterTestKit.Builder(nodes);
            BROKER_SETTINGS.forEach(builder::setConfigProp);
            cluster = builder.build();
            cluster.format();
            cluster.startup();
            cluster.waitForReadyBrokers();
            return new EmbeddedKafka(cluster);
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

    /** A configuration with default settings pointing at this broker. */
    public KafkaConfig config() {
        return KafkaConfig.builder().bootstrapServers(bootstrapServers).build();
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
