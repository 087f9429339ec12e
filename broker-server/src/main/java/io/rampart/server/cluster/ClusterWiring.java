package io.rampart.server.cluster;

import io.netty.channel.Channel;
import io.netty.channel.group.ChannelGroup;
import io.rampart.cluster.ClusterEvents;
import io.rampart.cluster.ClusterNode;
import io.rampart.cluster.ClusterSettings;
import io.rampart.cluster.ClusterStatus;
import io.rampart.cluster.NodeInfo;
import io.rampart.core.BrokerCore;
import io.rampart.core.cluster.ClusterSeams;
import io.rampart.server.config.BrokerConfig;
import io.rampart.server.config.ConfigException;
import io.rampart.server.events.BrokerEvents;
import io.rampart.server.metrics.BrokerMetrics;
import io.rampart.server.pipeline.PipelineNames;
import io.rampart.server.protocol.MqttConnection;
import io.rampart.tls.TlsConfigException;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Wires this broker into a cluster ({@code cluster.enabled: true}): the node is created before the core (whose seams it
 * provides), joined once the admin listeners answer and before the MQTT listeners bind, and left gracefully at
 * shutdown. Its events become event-log lines; while this node is in the minority its clients are disconnected and new
 * ones refused. Only loaded when the cluster is enabled.
 */
public final class ClusterWiring implements AutoCloseable {

    private final BrokerConfig config;
    private final BrokerEvents events;
    private final ClusterNode node;
    private final ClusterMeters meters;
    private volatile ChannelGroup connections;

    /** A node not yet joined, for a broker of {@code version}. */
    public ClusterWiring(BrokerConfig config, String version, BrokerEvents events, BrokerMetrics metrics) {
        this.config = config;
        this.events = events;
        ClusterSettings settings = config.cluster();
        this.meters = new ClusterMeters(metrics.registry());
        this.node = ClusterNode.create(settings, new NodeInfo(settings.nodeName(), version, settings.clientAddress(),
                Instant.now()), meters, new Lines());
    }

    public ClusterSeams seams() {
        return node.seams();
    }

    /**
     * Joins the cluster.
     *
     * @param clients the broker's MQTT connections (closed while this node is in the minority)
     * @throws ConfigException when the TLS material between nodes cannot be used
     * @throws Exception       when the cluster transport cannot bind or the data grid cannot start
     */
    public void open(BrokerCore core, ChannelGroup clients) throws Exception {
        this.connections = clients;
        try {
            node.open(core);
        } catch (TlsConfigException e) {
            ConfigException invalid = new ConfigException(config.source(), "cluster.tls"
                    + (e.key() == null ? "" : "." + e.key()), e.getMessage());
            invalid.initCause(e);
            throw invalid;
        }
        meters.bind(node);
    }

    /** The security state the nodes share; once {@link #open} has run. */
    public io.rampart.core.cluster.SharedState sharedState() {
        return node.sharedState();
    }

    /** Why this node does not take clients now (readiness), or {@code null}. */
    public String unavailableReason() {
        return node.unavailableReason();
    }

    public ClusterStatus status() {
        return node.status();
    }

    /** The status as the admin API shows it ({@code GET /api/v1/cluster}). */
    public Map<String, Object> statusTree() {
        ClusterStatus s = node.status();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("enabled", true);
        out.put("node", s.localNode());
        out.put("state", s.minority() ? "minority" : "majority");
        out.put("expectedNodes", s.expected());
        List<Map<String, Object>> nodes = new ArrayList<>();
        for (ClusterStatus.Node n : s.nodes()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", n.name());
            m.put("id", n.id());
            m.put("local", n.local());
            m.put("coordinator", n.coordinator());
            m.put("state", "up");
            m.put("version", n.version());
            m.put("clientAddress", n.clientAddress());
            m.put("startedAt", n.startedAt() == null ? null : n.startedAt().toString());
            nodes.add(m);
        }
        out.put("nodes", nodes);
        out.put("routingTableSize", s.routes());
        out.put("retainedMessages", s.retained());
        out.put("replicationLag", s.journalLag());
        out.put("pendingHandoffs", s.pendingHandoffs());
        Map<String, Object> transport = new LinkedHashMap<>();
        transport.put("protocol", s.transport().protocol());
        transport.put("handshakes", s.transport().accepted());
        transport.put("refused", s.transport().refused());
        List<Map<String, Object>> peers = new ArrayList<>();
        for (var p : s.transport().peers()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("address", p.address());
            m.put("protocol", p.protocol());
            m.put("cipherSuite", p.cipherSuite());
            m.put("certificate", p.certificate());
            peers.add(m);
        }
        transport.put("peers", peers);
        out.put("transport", transport);
        return out;
    }

    /** The MQTT 5 server reference for clients this node sends away: the other nodes' client addresses. */
    public String serverReference() {
        List<String> others = node.otherClientAddresses();
        return others.isEmpty() ? null : String.join(" ", others);
    }

    /** Shutdown begins: the other nodes are told this one leaves on purpose. */
    public void leave() {
        node.leave();
    }

    /** Waits until the sessions let go at shutdown are journaled, for the other nodes to carry them on. */
    public void awaitJournal() {
        node.awaitJournal(Duration.ofSeconds(10));
    }

    @Override
    public void close() {
        node.close();
    }

    /** This node is cut off from most of the cluster: its clients are sent to the other nodes. */
    private void disconnectClients() {
        ChannelGroup group = connections;
        if (group == null) {
            return;
        }
        String reference = serverReference();
        for (Channel ch : group) {
            MqttConnection connection = (MqttConnection) ch.pipeline().get(PipelineNames.MQTT_CONNECTION);
            if (connection != null) {
                ch.eventLoop().execute(() -> connection.sendAway(reference,
                        "this node is cut off from most of the cluster"));
            }
        }
    }

    /** The node's events as event-log lines. */
    private final class Lines implements ClusterEvents {

        @Override
        public void joined(String node) {
            events.clusterNodeJoined(node);
        }

        @Override
        public void left(String node, boolean gracefully) {
            events.clusterNodeLeft(node, gracefully);
        }

        @Override
        public void suspected(String node) {
            events.clusterNodeSuspected(node);
        }

        @Override
        public void minorityEntered(int members, int expected) {
            events.clusterMinority(true, members, expected);
            disconnectClients();
        }

        @Override
        public void minorityLeft(int members, int expected) {
            events.clusterMinority(false, members, expected);
        }

        @Override
        public void merged(int members) {
            events.clusterMerged(members);
        }
    }
}
