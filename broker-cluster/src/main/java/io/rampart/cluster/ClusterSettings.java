package io.rampart.cluster;

import io.rampart.tls.TlsSettings;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The {@code cluster:} section, immutable and validated.
 *
 * @param enabled           whether this broker is a node of a cluster
 * @param nodeName          this node's name, unique in the cluster (letters, digits, {@code . _ -}, at most 64)
 * @param bind              the address the cluster transport listens on and connects from
 * @param port              the cluster transport's port
 * @param members           the other nodes (and optionally this one) as {@code host:port}: static discovery
 * @param dnsQuery          a DNS name whose A records are the nodes (a Kubernetes headless service), all on {@code port};
 *                          {@code null} when {@code members} is used
 * @param dnsServer         the DNS server ({@code host:port}) that answers {@code dnsQuery}; {@code null}: the system's
 *                          resolver
 * @param clientAddress     where MQTT clients reach this node ({@code host:port}), told to MQTT 5 clients as the server
 *                          reference when another node leaves; {@code null}: none
 * @param tls               the TLS material between nodes (required: nodes only talk TLS 1.3 with client certificates)
 * @param replication       backups of each session and its queued messages on other nodes (0..7)
 * @param failureDetection  how long a node may stay silent before the others suspect it
 * @param joinTimeout       how long a starting node looks for the others before it forms a cluster of its own
 * @throws IllegalArgumentException "key: reason" when a value is impossible
 */
public record ClusterSettings(boolean enabled, String nodeName, String bind, int port, List<String> members,
                              String dnsQuery, String dnsServer, String clientAddress, Tls tls, int replication,
                              Duration failureDetection, Duration joinTimeout) {

    public static final int DEFAULT_PORT = 7800;
    public static final int DEFAULT_REPLICATION = 1;
    public static final Duration DEFAULT_FAILURE_DETECTION = Duration.ofSeconds(10);
    public static final Duration DEFAULT_JOIN_TIMEOUT = Duration.ofSeconds(3);
    private static final Pattern NODE_NAME = Pattern.compile("[A-Za-z0-9._-]{1,64}");

    /** No cluster: a single broker. */
    public static final ClusterSettings DISABLED = new ClusterSettings(false, "rampart", "127.0.0.1", DEFAULT_PORT,
            List.of(), null, null, null, null, DEFAULT_REPLICATION, DEFAULT_FAILURE_DETECTION, DEFAULT_JOIN_TIMEOUT);

    /**
     * TLS between nodes: this node's certificate and key, and the certificates that vouch for the other nodes. In
     * development mode a cluster CA is generated (or reused) in {@code developmentCa} and signs this node's
     * certificate; every node holding that CA is trusted.
     *
     * @param keyMaterial   this node's certificate chain and key ({@code null} in development mode)
     * @param trust         the cluster's CA certificates ({@code null} in development mode)
     * @param developmentCa where the development CA lives, or {@code null} when real material is configured
     */
    public record Tls(TlsSettings.KeyMaterial keyMaterial, TlsSettings.TrustMaterial trust, Path developmentCa) {

        public Tls {
            if (developmentCa == null && (keyMaterial == null || trust == null)) {
                throw new IllegalArgumentException((keyMaterial == null ? "certificate" : "trust")
                        + ": is required (or development: true)");
            }
            if (developmentCa != null && (keyMaterial != null || trust != null)) {
                throw new IllegalArgumentException("development: cannot be combined with certificate, private-key,"
                        + " keystore or trust");
            }
        }

        public boolean development() {
            return developmentCa != null;
        }
    }

    public ClusterSettings {
        Objects.requireNonNull(nodeName, "nodeName");
        Objects.requireNonNull(bind, "bind");
        members = List.copyOf(members);
        Objects.requireNonNull(failureDetection, "failureDetection");
        Objects.requireNonNull(joinTimeout, "joinTimeout");
        if (!NODE_NAME.matcher(nodeName).matches()) {
            throw new IllegalArgumentException("node-name: must be 1 to 64 letters, digits, '.', '_' or '-' (was \""
                    + nodeName + "\")");
        }
        if (bind.isBlank()) {
            throw new IllegalArgumentException("bind: must be an address");
        }
        if (port < 1 || port > 65_535) {
            throw new IllegalArgumentException("port: must be between 1 and 65535 (was " + port + ")");
        }
        for (int i = 0; i < members.size(); i++) {
            String problem = hostPortProblem(members.get(i));
            if (problem != null) {
                throw new IllegalArgumentException("members[" + i + "]: " + problem);
            }
        }
        if (clientAddress != null && hostPortProblem(clientAddress) != null) {
            throw new IllegalArgumentException("client-address: " + hostPortProblem(clientAddress));
        }
        if (dnsQuery != null && dnsQuery.isBlank()) {
            throw new IllegalArgumentException("dns-query: must be a DNS name");
        }
        if (dnsServer != null && dnsQuery == null) {
            throw new IllegalArgumentException("dns-server: only with dns-query");
        }
        if (dnsServer != null && hostPortProblem(dnsServer) != null) {
            throw new IllegalArgumentException("dns-server: " + hostPortProblem(dnsServer));
        }
        if (replication < 0 || replication > 7) {
            throw new IllegalArgumentException("replication: must be between 0 and 7 (was " + replication + ")");
        }
        if (failureDetection.compareTo(Duration.ofSeconds(2)) < 0 || failureDetection.compareTo(Duration.ofMinutes(5)) > 0) {
            throw new IllegalArgumentException("failure-detection: must be between 2 s and 5 min");
        }
        if (joinTimeout.compareTo(Duration.ofMillis(500)) < 0 || joinTimeout.compareTo(Duration.ofMinutes(5)) > 0) {
            throw new IllegalArgumentException("join-timeout: must be between 500 ms and 5 min");
        }
        if (enabled) {
            if (members.isEmpty() && dnsQuery == null) {
                throw new IllegalArgumentException("members: list the nodes as host:port (or set dns-query)");
            }
            if (!members.isEmpty() && dnsQuery != null) {
                throw new IllegalArgumentException("dns-query: use either members or dns-query, not both");
            }
            if (tls == null) {
                throw new IllegalArgumentException("tls: is required: nodes only talk TLS with client certificates"
                        + " (development: true generates a cluster CA for trying it out)");
            }
        }
    }

    /** The static members as socket addresses (unresolved host names are resolved when the node starts). */
    public List<InetSocketAddress> memberAddresses() {
        List<InetSocketAddress> out = new ArrayList<>();
        for (String m : members) {
            int colon = m.lastIndexOf(':');
            String host = m.substring(0, colon);
            if (host.startsWith("[") && host.endsWith("]")) {
                host = host.substring(1, host.length() - 1);
            }
            out.add(InetSocketAddress.createUnresolved(host, Integer.parseInt(m.substring(colon + 1))));
        }
        return out;
    }

    private static String hostPortProblem(String member) {
        int colon = member == null ? -1 : member.lastIndexOf(':');
        if (colon <= 0 || colon == member.length() - 1) {
            return "must be host:port (was \"" + member + "\")";
        }
        try {
            int p = Integer.parseInt(member.substring(colon + 1));
            if (p < 1 || p > 65_535) {
                return "port must be between 1 and 65535 (was \"" + member + "\")";
            }
        } catch (NumberFormatException e) {
            return "must be host:port (was \"" + member + "\")";
        }
        return null;
    }
}
