package io.rampart.cluster;

import io.rampart.cluster.tls.TlsStats;

import java.time.Instant;
import java.util.List;

/**
 * The cluster as this node sees it, for operators.
 *
 * @param localNode       this node's name
 * @param minority        whether this node is cut off from most of the cluster (it refuses clients)
 * @param expected        the number of nodes the quorum counts
 * @param nodes           the nodes in the view, coordinator first
 * @param routes          entries of the routing table (node, filter)
 * @param retained        retained messages in the cluster
 * @param journalLag      session journal batches being written (replication lag)
 * @param pendingHandoffs forwarded QoS 1/2 messages not yet acknowledged by their nodes
 * @param transport       TLS between the nodes, as the trust check saw it
 */
public record ClusterStatus(String localNode, boolean minority, int expected, List<Node> nodes, int routes,
                            int retained, int journalLag, int pendingHandoffs, Transport transport) {

    /**
     * TLS between the nodes.
     *
     * @param protocol  the only protocol the transport speaks
     * @param accepted  connections of other nodes whose certificate was accepted (both directions)
     * @param refused   connections refused because the certificate was not trusted
     * @param peers     the TLS parameters of the last accepted connection per peer address
     */
    public record Transport(String protocol, long accepted, long refused, List<TlsStats.Peer> peers) {
    }

    /**
     * One node.
     *
     * @param name          its name
     * @param id            its incarnation (new at every start)
     * @param local         whether it is this node
     * @param coordinator   whether it coordinates the view
     * @param version       the Rampart version it runs ({@code unknown} before it published it)
     * @param clientAddress where clients reach it, or {@code null}
     * @param startedAt     when it joined, or {@code null}
     */
    public record Node(String name, String id, boolean local, boolean coordinator, String version,
                       String clientAddress, Instant startedAt) {
    }
}
