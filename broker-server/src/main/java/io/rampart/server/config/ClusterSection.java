package io.rampart.server.config;

import io.rampart.admin.config.Durations;
import io.rampart.cluster.ClusterSettings;
import io.rampart.tls.TlsSettings;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Maps the {@code cluster:} section onto {@link ClusterSettings}. Absent or {@code enabled: false}: a single broker.
 * The node name defaults to the host name; the development CA lives in {@code <data-dir>/cluster-ca}.
 */
final class ClusterSection {

    static final List<String> KEYS = List.of("enabled", "node-name", "bind", "port", "members", "dns-query",
            "dns-server", "client-address", "tls", "replication", "failure-detection", "join-timeout");
    /** This node's key material is PEM (certificate chain and key); the trust takes a PEM bundle or PKCS#12. */
    static final List<String> TLS_KEYS = List.of("certificate", "private-key", "private-key-password", "trust",
            "development");
    static final String DEVELOPMENT_CA_DIR = "cluster-ca";

    private ClusterSection() {
    }

    static ClusterSettings read(ConfigNode node, Path dataDir) throws ConfigException {
        if (node.isAbsentOrNull()) {
            return ClusterSettings.DISABLED;
        }
        node.requireKeys(KEYS);
        boolean enabled = node.get("enabled").booleanValue(false);
        ClusterSettings.Tls tls = tls(node.get("tls"), dataDir);
        try {
            return new ClusterSettings(enabled, node.get("node-name").string(hostName()),
                    node.get("bind").string("127.0.0.1"), node.get("port").intValue(ClusterSettings.DEFAULT_PORT),
                    TlsSection.strings(node.get("members")), optional(node.get("dns-query")),
                    optional(node.get("dns-server")), optional(node.get("client-address")), tls,
                    node.get("replication").intValue(ClusterSettings.DEFAULT_REPLICATION),
                    duration(node.get("failure-detection"), ClusterSettings.DEFAULT_FAILURE_DETECTION),
                    duration(node.get("join-timeout"), ClusterSettings.DEFAULT_JOIN_TIMEOUT));
        } catch (IllegalArgumentException e) {
            throw node.invalid(e);
        }
    }

    private static ClusterSettings.Tls tls(ConfigNode node, Path dataDir) throws ConfigException {
        if (node.isAbsentOrNull()) {
            return null;
        }
        node.requireKeys(TLS_KEYS);
        boolean development = node.get("development").booleanValue(false);
        TlsSettings.KeyMaterial key = null;
        boolean anyKey = List.of("certificate", "private-key", "private-key-password").stream()
                .anyMatch(k -> !node.get(k).isAbsentOrNull());
        try {
            if (anyKey) {
                key = new TlsSettings.KeyMaterial(TlsSection.file(node.get("certificate")),
                        TlsSection.file(node.get("private-key")), node.get("private-key-password").string(null),
                        null, null);
            }
            TlsSettings.TrustMaterial trust = null;
            ConfigNode t = node.get("trust");
            if (!t.isAbsentOrNull()) {
                t.requireKeys(TlsSection.TRUST_KEYS);
                trust = new TlsSettings.TrustMaterial(TlsSection.file(t.get("certificates")),
                        TlsSection.file(t.get("keystore")), t.get("keystore-password").string(null));
            }
            return new ClusterSettings.Tls(key, trust, development ? dataDir.resolve(DEVELOPMENT_CA_DIR) : null);
        } catch (IllegalArgumentException e) {
            throw node.invalid(e);
        }
    }

    /** A string, or {@code null} when the key is absent or has no value. */
    private static String optional(ConfigNode node) throws ConfigException {
        return node.isAbsentOrNull() ? null : node.string();
    }

    private static Duration duration(ConfigNode node, Duration defaultValue) throws ConfigException {
        if (node.isAbsentOrNull()) {
            return defaultValue;
        }
        try {
            return Durations.parse(node.text());
        } catch (IllegalArgumentException e) {
            throw node.error(e.getMessage());
        }
    }

    private static String hostName() {
        try {
            String name = InetAddress.getLocalHost().getHostName();
            int dot = name.indexOf('.');
            return dot > 0 ? name.substring(0, dot) : name;
        } catch (UnknownHostException e) {
            return "rampart";
        }
    }
}
