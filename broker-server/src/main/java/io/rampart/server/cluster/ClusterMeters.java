package io.rampart.server.cluster;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.rampart.cluster.ClusterMetrics;
import io.rampart.cluster.ClusterNode;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The cluster's meters: nodes in the view, forwarded and received messages and bytes per peer, the time a forwarded
 * QoS 1/2 message takes until every node acknowledged it, failed hand-offs, routing-table size, journal lag, and
 * whether this node is in the minority. docs/OBSERVABILITY.md lists them.
 */
final class ClusterMeters implements ClusterMetrics {

    private final MeterRegistry registry;
    private final Map<String, Counter[]> perPeer = new ConcurrentHashMap<>();
    private final Timer handoff;
    private final Counter failures;

    ClusterMeters(MeterRegistry registry) {
        this.registry = registry;
        this.handoff = Timer.builder("rampart.cluster.forward.latency")
                .description("Time from routing a QoS 1/2 message until every node it was forwarded to acknowledged it")
                .publishPercentiles(0.5, 0.99).minimumExpectedValue(Duration.ofNanos(50_000))
                .maximumExpectedValue(Duration.ofSeconds(30)).register(registry);
        this.failures = Counter.builder("rampart.cluster.handoff.failures")
                .description("Forwarded QoS 1/2 messages whose node left or did not acknowledge in time").register(registry);
    }

    /** The gauges that read the node itself. */
    void bind(ClusterNode node) {
        Gauge.builder("rampart.cluster.nodes", node, ClusterNode::nodeCount)
                .description("Nodes in this node's view of the cluster").register(registry);
        Gauge.builder("rampart.cluster.minority", node, n -> n.status().minority() ? 1 : 0)
                .description("1 while this node sees fewer than half of the cluster and refuses clients")
                .register(registry);
        Gauge.builder("rampart.cluster.routes", node, n -> n.status().routes())
                .description("Entries (node, filter) of the cluster's routing table").register(registry);
        Gauge.builder("rampart.cluster.journal.lag", node, n -> n.status().journalLag())
                .description("Session journal batches being written to the other nodes").register(registry);
    }

    @Override
    public void forwarded(String peer, int messages, long bytes) {
        Counter[] c = counters(peer);
        c[0].increment(messages);
        c[1].increment(bytes);
    }

    @Override
    public void received(String peer, int messages, long bytes) {
        Counter[] c = counters(peer);
        c[2].increment(messages);
        c[3].increment(bytes);
    }

    @Override
    public void handedOff(long nanos) {
        handoff.record(nanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void handoffFailed() {
        failures.increment();
    }

    private Counter[] counters(String peer) {
        return perPeer.computeIfAbsent(peer, p -> new Counter[]{
                Counter.builder("rampart.cluster.forwarded.messages").tag("peer", p)
                        .description("PUBLISHes forwarded to another node").register(registry),
                Counter.builder("rampart.cluster.forwarded.bytes").tag("peer", p)
                        .description("Bytes of forwarded PUBLISHes sent to another node").register(registry),
                Counter.builder("rampart.cluster.received.messages").tag("peer", p)
                        .description("PUBLISHes another node forwarded here").register(registry),
                Counter.builder("rampart.cluster.received.bytes").tag("peer", p)
                        .description("Bytes of PUBLISHes another node forwarded here").register(registry)});
    }
}
