package io.rampart.cluster;

import io.rampart.cluster.grid.Grid;
import io.rampart.cluster.grid.WriteCapture;
import io.rampart.cluster.membership.Member;
import io.rampart.cluster.membership.Membership;
import io.rampart.cluster.membership.ViewChange;
import io.rampart.cluster.retain.RetainedSync;
import io.rampart.cluster.routing.ClusterRouting;
import io.rampart.cluster.routing.Forwarder;
import io.rampart.cluster.routing.RoutingTable;
import io.rampart.cluster.session.ClusterDirectory;
import io.rampart.cluster.session.ClusterJournal;
import io.rampart.cluster.session.ReplicaAccounting;
import io.rampart.cluster.shared.GridSharedState;
import io.rampart.cluster.tls.ClusterTls;
import io.rampart.cluster.tls.TlsStats;
import io.rampart.cluster.transport.ClusterTransport;
import io.rampart.cluster.transport.Messenger;
import io.rampart.cluster.transport.Wire;
import io.rampart.core.BrokerCore;
import io.rampart.core.cluster.ClusterSeams;
import io.rampart.core.cluster.SharedState;
import org.apache.logging.log4j.LogManager;
import org.infinispan.commons.util.CloseableIterator;
import org.infinispan.context.Flag;
import org.apache.logging.log4j.Logger;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * This broker as a node of a cluster: created before the core (its {@link #seams()} go into the core), opened once the
 * core exists ({@link #open}: joins the cluster), left gracefully on shutdown ({@link #leave}) and closed.
 *
 * <p>Nothing of the data grid or JGroups is loaded unless the broker is configured as a cluster node.
 */
public final class ClusterNode implements AutoCloseable {

    private static final Logger LOG = LogManager.getLogger("rampart.cluster");
    private static final long SWEEP_SECONDS = 30;
    private static final long MERGE_SETTLE_SECONDS = 5;
    private static final long REPLICA_SECONDS = 5;

    private final ClusterSettings settings;
    private final NodeInfo info;
    private final ClusterMetrics metrics;
    private final ClusterEvents events;
    private final WriteCapture writes = new WriteCapture();
    private final SeamFacade seams = new SeamFacade();
    private ExecutorService executor;
    private ExecutorService senders;
    private ExecutorService routeWriter;
    private ScheduledExecutorService timer;
    private ClusterTransport transport;
    private RoutingTable table;
    private Forwarder forwarding;
    private ClusterJournal journal;
    private ClusterDirectory directory;
    private RetainedSync retained;
    private GridSharedState shared;
    private ReplicaAccounting replicas;
    private volatile boolean open;
    private volatile boolean leaving;
    /** What each node told about itself, as last read: the grid may not answer while a partition heals. */
    private final java.util.concurrent.ConcurrentHashMap<String, NodeInfo> knownNodes =
            new java.util.concurrent.ConcurrentHashMap<>();

    private ClusterNode(ClusterSettings settings, NodeInfo info, ClusterMetrics metrics, ClusterEvents events) {
        this.settings = settings;
        this.info = info;
        this.metrics = metrics;
        this.events = events;
    }

    /** A node not yet joined; its seams do nothing until {@link #open}. */
    public static ClusterNode create(ClusterSettings settings, NodeInfo info, ClusterMetrics metrics,
                                     ClusterEvents events) {
        return new ClusterNode(settings, info, metrics, events);
    }

    /** The seams to build the core with. */
    public ClusterSeams seams() {
        return new ClusterSeams(seams, seams, seams, seams, seams);
    }

    /**
     * Joins the cluster and takes part from now on: routing, sessions, retained messages.
     *
     * @throws io.rampart.tls.TlsConfigException when the TLS material between nodes cannot be used
     * @throws Exception                         when the transport cannot bind or the data grid cannot start
     */
    public synchronized void open(BrokerCore core) throws Exception {
        executor = Executors.newFixedThreadPool(16, threads("rampart-cluster"));
        senders = Executors.newFixedThreadPool(2, threads("rampart-cluster-send"));
        routeWriter = Executors.newSingleThreadExecutor(threads("rampart-cluster-routes"));
        timer = Executors.newSingleThreadScheduledExecutor(threads("rampart-cluster-timer"));
        transport = ClusterTransport.open(settings, executor, timer);
        Grid grid = transport.grid();
        Membership membership = transport.membership();
        String localId = Member.of(transport.localAddress()).id();
        Duration timeout = Duration.ofMillis(Math.max(5_000, settings.failureDetection().toMillis()));
        table = new RoutingTable(localId, grid.routes(), routeWriter);
        forwarding = new Forwarder(transport.messenger(), membership, senders, metrics, timeout.toMillis() * 2);
        ClusterRouting routing = new ClusterRouting(table, forwarding, writes, membership, transport.messenger(),
                metrics);
        journal = new ClusterJournal(grid.sessions(), executor, writes, localId);
        directory = new ClusterDirectory(grid.sessions(), journal, membership, transport.rpc(), executor, timeout,
                localId);
        retained = new RetainedSync(grid.retained(), writes);
        routing.bind(core.router());
        directory.bind(core);
        table.start();
        retained.start(core.retained());
        seams.bind(routing, journal, retained, directory, table);
        shared = new GridSharedState(grid.shared(), transport.messenger(), transport.rpc(), membership, senders,
                settings.nodeName());
        shared.start();
        membership.listen(this::viewChanged);
        transport.suspicions().listener(a -> events.suspected(Member.of(a).name()));
        transport.connect();
        grid.nodes().put(localId, info.encode());
        timer.scheduleWithFixedDelay(forwarding::expire, 1, 1, TimeUnit.SECONDS);
        timer.scheduleWithFixedDelay(directory::adoptOrphans, SWEEP_SECONDS, SWEEP_SECONDS, TimeUnit.SECONDS);
        timer.scheduleWithFixedDelay(this::announce, SWEEP_SECONDS, SWEEP_SECONDS, TimeUnit.SECONDS);
        replicas = new ReplicaAccounting(core.budget(), clientId -> core.sessions().get(clientId) != null);
        // One thread only: the budget hands out credit per thread.
        timer.scheduleWithFixedDelay(this::countReplicas, REPLICA_SECONDS, REPLICA_SECONDS, TimeUnit.SECONDS);
        open = true;
        Membership m = transport.membership();
        LOG.info("cluster: node '{}' joined on {}:{} (TLS) with {} node(s): {}{}", settings.nodeName(), settings.bind(),
                settings.port(), m.members().size(), m.members(),
                m.isMinority() ? "; fewer than half of the " + m.expected() + " expected nodes: clients are refused"
                        + " until more join" : "");
        if (m.isMinority()) {
            events.minorityEntered(m.members().size(), m.expected());
        }
    }

    private void viewChanged(ViewChange change) {
        if (!open) {
            return;
        }
        Member local = transport.membership().local();
        boolean coordinator = !change.members().isEmpty() && change.members().get(0).equals(local);
        for (Member m : change.joined()) {
            if (!m.equals(local)) {
                events.joined(m.name());
            }
        }
        for (Member m : change.joined()) {
            runLater(() -> nodeInfo(m.id()));
        }
        for (Member m : change.left()) {
            if (change.gracefully().contains(m)) {
                // A node that left on purpose comes back as a new incarnation; one that was lost may be behind a
                // partition and come back as it is, while the grid is still merging: its information is kept.
                knownNodes.remove(m.id());
            }
            events.left(m.name(), change.gracefully().contains(m));
            table.forget(m.id(), coordinator);
        }
        forwarding.left(change.left());
        if (change.merged()) {
            runLater(() -> {
                table.reloadRemote();
                table.republish();
                retained.reload();
                directory.reconcile();
                announce();
            });
            // The grid resolves the sides' conflicting entries in the background after the merge, and may drop what
            // only the smaller side had (this node's own entries among them): they are written again once it is done.
            try {
                timer.schedule(() -> runLater(this::afterMerge), MERGE_SETTLE_SECONDS, TimeUnit.SECONDS);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                LOG.debug("cluster: no second pass after the merge, the node is closing");
            }
            events.merged(change.members().size());
        }
        if (change.minority() && !change.wasMinority()) {
            LOG.error("cluster: this node sees {} of the {} nodes of the cluster (a minority): it refuses clients until"
                    + " the cluster is whole again", change.members().size(), transport.membership().expected());
            events.minorityEntered(change.members().size(), transport.membership().expected());
        } else if (!change.minority() && change.wasMinority()) {
            LOG.info("cluster: this node sees {} of the {} nodes again: it accepts clients",
                    change.members().size(), transport.membership().expected());
            events.minorityLeft(change.members().size(), transport.membership().expected());
        }
        if (!change.left().isEmpty() && !change.minority()) {
            try {
                executor.execute(directory::adoptOrphans);
                timer.schedule(directory::adoptOrphans, 5, TimeUnit.SECONDS);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                LOG.debug("cluster: no adoption, the node is closing");
            }
        }
    }

    /** The security state the nodes share (bans, tokens, admin sessions, detections); {@code null} before {@link #open}. */
    public SharedState sharedState() {
        return shared;
    }

    /** Whether this node takes clients: it has joined and is not cut off from most of the cluster. */
    public boolean acceptsClients() {
        return open && !leaving && !transport.membership().isMinority();
    }

    /** Why this node does not take clients (readiness), or {@code null}. */
    public String unavailableReason() {
        if (!open) {
            return "cluster: not joined yet";
        }
        Membership m = transport.membership();
        if (m.isMinority()) {
            return "cluster: this node sees " + m.members().size() + " of " + m.expected()
                    + " nodes (minority); it refuses clients";
        }
        return null;
    }

    /** The client addresses of the other nodes (for MQTT 5 server references), in view order. */
    public List<String> otherClientAddresses() {
        List<String> out = new ArrayList<>();
        if (!open) {
            return out;
        }
        Member local = transport.membership().local();
        for (Member m : transport.membership().members()) {
            if (m.equals(local)) {
                continue;
            }
            NodeInfo n = nodeInfo(m.id());
            if (n != null && n.clientAddress() != null) {
                out.add(n.clientAddress());
            }
        }
        return out;
    }

    public ClusterStatus status() {
        if (!open) {
            return new ClusterStatus(settings.nodeName(), false, 0, List.of(), 0, 0, 0, 0,
                    new ClusterStatus.Transport(ClusterTls.PROTOCOL, 0, 0, List.of()));
        }
        Membership m = transport.membership();
        Member local = m.local();
        List<ClusterStatus.Node> nodes = new ArrayList<>();
        List<Member> members = m.members();
        for (int i = 0; i < members.size(); i++) {
            Member member = members.get(i);
            NodeInfo n = nodeInfo(member.id());
            nodes.add(new ClusterStatus.Node(n != null ? n.name() : member.name(), member.id(), member.equals(local),
                    i == 0, n == null ? "unknown" : n.version(), n == null ? null : n.clientAddress(),
                    n == null ? null : n.startedAt()));
        }
        TlsStats tls = transport.tlsStats();
        return new ClusterStatus(settings.nodeName(), m.isMinority(), m.expected(), nodes, table.size(),
                retained.size(), journal.lag(), forwarding.pendingHandoffs(),
                new ClusterStatus.Transport(ClusterTls.PROTOCOL, tls.acceptedCount(), tls.refusedCount(), tls.peers()));
    }

    /** The number of nodes in the view (0 before joining). */
    public int nodeCount() {
        return open ? transport.membership().members().size() : 0;
    }

    private NodeInfo nodeInfo(String id) {
        try {
            byte[] data = transport.grid().nodes().get(id);
            if (data != null) {
                NodeInfo info = NodeInfo.decode(data);
                knownNodes.put(id, info);
                return info;
            }
        } catch (IOException | RuntimeException e) {
            LOG.debug("cluster: the information of node {} cannot be read now: {}", id, e.toString());
        }
        return knownNodes.get(id);
    }

    /**
     * Starts leaving on purpose: tells the other nodes, so they count this node out of the quorum and adopt its
     * sessions when it is gone. The broker then closes its connections and lets its sessions go ({@link #awaitJournal}).
     */
    public void leave() {
        if (!open || leaving) {
            return;
        }
        leaving = true;
        byte[] frame = new Wire.Out(1).writeByte(Messenger.LEAVING).toByteArray();
        for (Member m : transport.membership().members()) {
            if (!m.equals(transport.membership().local())) {
                try {
                    transport.messenger().send(m.address(), frame);
                } catch (Exception e) {
                    LOG.debug("cluster: leaving not announced to {}: {}", m.name(), e.toString());
                }
            }
        }
    }

    /** Waits (at most {@code timeout}) until the session journal has written everything. */
    public void awaitJournal(Duration timeout) {
        if (!open) {
            return;
        }
        try {
            journal.drained().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            LOG.warn("cluster: {} session journal batch(es) not written before leaving", journal.lag());
        }
    }

    @Override
    public synchronized void close() {
        boolean wasOpen = open;
        open = false;
        if (wasOpen) {
            table.stop();
            retained.stop();
            shared.stop();
            replicas.close();
        }
        if (transport != null) {
            try {
                transport.close();
            } catch (RuntimeException e) {
                LOG.warn("cluster: leaving the cluster failed: {}", e.toString());
            }
        }
        for (ExecutorService e : new ExecutorService[]{timer, executor, senders, routeWriter}) {
            if (e != null) {
                e.shutdownNow();
            }
        }
        if (wasOpen) {
            LOG.info("cluster: node '{}' left the cluster", settings.nodeName());
        }
    }

    /** Counts the copies of other nodes' sessions stored here in the memory budget. */
    private void countReplicas() {
        if (!open) {
            return;
        }
        try {
            try (CloseableIterator<java.util.Map.Entry<String, Object>> stored = transport.grid().sessions()
                    .getAdvancedCache().withFlags(Flag.CACHE_MODE_LOCAL).entrySet().iterator()) {
                replicas.sweep(() -> stored);
            }
        } catch (RuntimeException e) {
            LOG.debug("cluster: the session copies held here could not be counted now: {}", e.toString());
        }
    }

    /** The estimated bytes of the copies of other nodes' sessions this node holds (counted in its memory budget). */
    public long replicaBytes() {
        return open ? replicas.counted() : 0;
    }

    /** After a merge settled: this node's routes and information are in the grid, and the mirrors follow it. */
    private void afterMerge() {
        if (!open) {
            return;
        }
        table.reloadRemote();
        table.republish();
        retained.reload();
        // This node's own copy of its entry may have survived the merge while the other side's copies were dropped:
        // written whatever this node reads.
        writeInfo();
    }

    /** Writes this node's information (name, version, client address) into the grid when it is not there. */
    private void writeInfo() {
        if (!open) {
            return;
        }
        try {
            transport.grid().nodes().put(transport.membership().local().id(), info.encode());
        } catch (RuntimeException e) {
            LOG.debug("cluster: this node's information could not be written now: {}", e.toString());
        }
    }

    private void announce() {
        if (!open) {
            return;
        }
        try {
            String localId = transport.membership().local().id();
            byte[] mine = info.encode();
            byte[] there = transport.grid().nodes().get(localId);
            if (there == null || !Arrays.equals(there, mine)) {
                transport.grid().nodes().put(localId, mine);
            }
        } catch (RuntimeException e) {
            LOG.debug("cluster: this node's information could not be written now: {}", e.toString());
        }
    }

    private void runLater(Runnable task) {
        try {
            executor.execute(task);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            LOG.debug("cluster: task dropped, the node is closing");
        }
    }

    private static ThreadFactory threads(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    /** For tests and metrics: the routing table's entries of other nodes mirrored here. */
    public int remoteRoutes() {
        return open ? table.remoteSize() : 0;
    }
}
