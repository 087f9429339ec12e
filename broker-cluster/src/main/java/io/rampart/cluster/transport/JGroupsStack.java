package io.rampart.cluster.transport;

import io.rampart.cluster.ClusterSettings;
import io.rampart.cluster.tls.ClusterTls;
import org.jgroups.protocols.DISCARD;
import org.jgroups.protocols.FD_ALL3;
import org.jgroups.protocols.FORK;
import org.jgroups.protocols.FRAG4;
import org.jgroups.protocols.MERGE3;
import org.jgroups.protocols.MFC;
import org.jgroups.protocols.TCP;
import org.jgroups.protocols.TCPPING;
import org.jgroups.protocols.UFC;
import org.jgroups.protocols.UNICAST3;
import org.jgroups.protocols.VERIFY_SUSPECT2;
import org.jgroups.protocols.dns.DNS_PING;
import org.jgroups.protocols.pbcast.GMS;
import org.jgroups.protocols.pbcast.NAKACK2;
import org.jgroups.protocols.pbcast.STABLE;
import org.jgroups.stack.Protocol;
import org.jgroups.util.TLSClientAuth;

import javax.net.ssl.SSLContext;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/**
 * The JGroups protocol stack of a node, bottom to top:
 *
 * <pre>
 * TCP (TLS 1.3, client certificates required)   one connection per peer, every byte encrypted and authenticated;
 *                                               TCP_NODELAY (JGroups bundles small messages itself)
 * [DISCARD]                                     fault injection for tests only (see {@link FaultInjection})
 * TCPPING | DNS_PING                            discovery over the same TLS connections
 * MERGE3                                        merges the views again after a partition heals
 * FD_ALL3, VERIFY_SUSPECT2                      failure detection by heartbeats over the transport
 * SuspicionWatch                                reports verified suspicions
 * NAKACK2, UNICAST3, STABLE                     reliable, ordered delivery (per sender)
 * GMS                                           membership views
 * UFC, MFC, FRAG4                               flow control, fragmentation of large messages
 * FORK                                          the broker's own message channel beside the data grid's
 * </pre>
 *
 * There is no other listening socket: no FD_SOCK2 (it listens unencrypted) and diagnostics are switched off.
 */
public final class JGroupsStack {

    private JGroupsStack() {
    }

    /** The protocols, bottom first; {@code discard} is placed above the transport when not {@code null}. */
    public static List<Protocol> protocols(ClusterSettings settings, SSLContext tls, SuspicionWatch watch,
                                           DISCARD discard) throws UnknownHostException {
        List<Protocol> stack = new ArrayList<>();
        TCP tcp = new TCP();
        tcp.setBindAddress(InetAddress.getByName(settings.bind()));
        tcp.setBindPort(settings.port());
        tcp.setPortRange(0);
        // JGroups bundles messages itself; without TCP_NODELAY a small batch waits for the peer's delayed ACK.
        tcp.tcpNodelay(true);
        tcp.tls().enabled(true).setSSLContext(tls).setClientAuth(TLSClientAuth.NEED)
                .setProtocols(new String[]{ClusterTls.PROTOCOL});
        stack.add(tcp);
        if (discard != null) {
            stack.add(discard);
        }
        if (settings.dnsQuery() != null) {
            DNS_PING dns = new DNS_PING().setDNSQuery(settings.dnsQuery());
            if (settings.dnsServer() != null) {
                dns.setValue("dns_address", settings.dnsServer());
            }
            stack.add(dns);
        } else {
            List<InetSocketAddress> hosts = new ArrayList<>();
            for (InetSocketAddress member : settings.memberAddresses()) {
                hosts.add(new InetSocketAddress(InetAddress.getByName(member.getHostString()), member.getPort()));
            }
            stack.add(new TCPPING().setInitialHosts(hosts).setPortRange(0));
        }
        long detection = settings.failureDetection().toMillis();
        stack.add(new MERGE3().setMinInterval(Math.max(1_000, detection / 5)).setMaxInterval(Math.max(4_000, detection)));
        stack.add(new FD_ALL3().setTimeout(detection).setInterval(Math.max(500, detection / 5)));
        stack.add(new VERIFY_SUSPECT2().setTimeout(Math.min(1_000, detection / 4)));
        stack.add(watch);
        stack.add(new NAKACK2().useMcastXmit(false));
        stack.add(new UNICAST3());
        stack.add(new STABLE());
        stack.add(new GMS().setJoinTimeout(settings.joinTimeout().toMillis()).printLocalAddress(false));
        stack.add(new UFC());
        stack.add(new MFC());
        stack.add(new FRAG4());
        stack.add(new FORK());
        return stack;
    }
}
