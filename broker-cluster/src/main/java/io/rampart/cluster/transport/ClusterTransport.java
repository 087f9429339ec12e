package io.rampart.cluster.transport;

import io.rampart.cluster.ClusterSettings;
import io.rampart.cluster.grid.Grid;
import io.rampart.cluster.membership.Member;
import io.rampart.cluster.membership.Membership;
import io.rampart.cluster.tls.ClusterTls;
import io.rampart.cluster.tls.TlsStats;
import io.rampart.tls.TlsConfigException;
import org.jgroups.JChannel;

import javax.net.ssl.SSLContext;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;

/**
 * The node's connection to the others: the TLS-only JGroups channel, the data grid on it, the broker's own message
 * channel beside it, requests with replies, and the membership view. Created in two steps, so every handler is in place
 * before the first message can arrive: {@link #open} builds everything and joins the grid, {@link #connect} starts the
 * message channel.
 */
public final class ClusterTransport implements AutoCloseable {

    private final JChannel channel;
    private final Grid grid;
    private final Messenger messenger;
    private final Rpc rpc;
    private final Membership membership;
    private final SuspicionWatch suspicions;
    private final FaultInjection faults;
    private final TlsStats tlsStats;

    private ClusterTransport(JChannel channel, Grid grid, Messenger messenger, Rpc rpc, Membership membership,
                             SuspicionWatch suspicions, FaultInjection faults, TlsStats tlsStats) {
        this.tlsStats = tlsStats;
        this.channel = channel;
        this.grid = grid;
        this.messenger = messenger;
        this.rpc = rpc;
        this.membership = membership;
        this.suspicions = suspicions;
        this.faults = faults;
    }

    /**
     * Builds the TLS context and the channel, joins the data grid (waiting for its initial state) and prepares the
     * message channel.
     *
     * @throws TlsConfigException when the TLS material cannot be used
     * @throws Exception          when the transport cannot bind or the grid cannot start
     */
    public static ClusterTransport open(ClusterSettings settings, Executor executor, ScheduledExecutorService timer)
            throws Exception {
        TlsStats tlsStats = new TlsStats();
        SSLContext tls = ClusterTls.context(settings, tlsStats);
        SuspicionWatch suspicions = new SuspicionWatch();
        FaultInjection faults = FaultInjection.fromSystemProperty(timer);
        JChannel channel = new JChannel(JGroupsStack.protocols(settings, tls, suspicions,
                faults == null ? null : faults.protocol()));
        channel.setName(settings.nodeName());
        channel.getProtocolStack().getTransport().getDiagnosticsHandler().setEnabled(false);
        Grid grid;
        try {
            grid = Grid.start(settings, channel);
        } catch (RuntimeException e) {
            channel.close();
            if (faults != null) {
                faults.close();
            }
            throw e;
        }
        Messenger messenger = new Messenger(channel);
        Rpc rpc = new Rpc(messenger, executor, timer);
        int expected = settings.dnsQuery() != null ? 1 : settings.members().size();
        Membership membership = new Membership(expected);
        messenger.on(Messenger.LEAVING, (from, in) -> membership.leaving(from));
        membership.listen(change -> rpc.left(change.left().stream().map(Member::address).toList()));
        messenger.onView(view -> membership.viewAccepted(view, messenger.localAddress()));
        return new ClusterTransport(channel, grid, messenger, rpc, membership, suspicions, faults, tlsStats);
    }

    /** Starts the message channel: views and messages flow from now on. */
    public void connect() throws Exception {
        messenger.connect();
    }

    /** This node's address in the cluster (the grid has connected the channel). */
    public org.jgroups.Address localAddress() {
        return channel.getAddress();
    }

    public Grid grid() {
        return grid;
    }

    public Messenger messenger() {
        return messenger;
    }

    public Rpc rpc() {
        return rpc;
    }

    public Membership membership() {
        return membership;
    }

    public TlsStats tlsStats() {
        return tlsStats;
    }

    public SuspicionWatch suspicions() {
        return suspicions;
    }

    @Override
    public void close() {
        if (faults != null) {
            faults.close();
        }
        messenger.close();
        grid.close();
        channel.close();
    }
}
