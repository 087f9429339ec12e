package io.rampart.server.config;

import io.rampart.tls.RevocationSettings;
import io.rampart.tls.TlsContexts;
import io.rampart.tls.TlsSettings;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Maps the {@code tls:} block of a tls or secure-websocket listener onto {@link TlsSettings}: checks that the
 * files exist and that the provider supports every protocol and cipher suite named (refuse to start otherwise).
 * Paths are relative to the working directory.
 */
final class TlsSection {

    static final List<String> KEYS = List.of("provider", "protocols", "cipher-suites", "tls13-cipher-suites",
            "prefer-server-ciphers", "handshake-timeout", "certificate", "private-key", "private-key-password",
            "keystore", "keystore-password", "client-authentication", "trust", "sni", "revocation", "reload-interval",
            "ocsp-stapling", "session-tickets", "session-lifetime");
    private static final List<String> KEY_KEYS = List.of("certificate", "private-key", "private-key-password",
            "keystore", "keystore-password");
    static final List<String> TRUST_KEYS = List.of("certificates", "keystore", "keystore-password");
    private static final List<String> SNI_KEYS = List.of("host-names", "certificate", "private-key",
            "private-key-password", "keystore", "keystore-password");
    private static final List<String> REVOCATION_KEYS = List.of("mode", "crl-files", "crl-distribution-points",
            "crl-refresh", "ocsp-url", "ocsp-nonce", "timeout", "on-unavailable", "cache-size", "scope");

    private TlsSection() {
    }

    static TlsSettings read(ConfigNode tls) throws ConfigException {
        tls.requireKeys(KEYS);
        TlsSettings.Provider provider = tls.get("provider").isAbsentOrNull() ? TlsSettings.Provider.AUTO
                : tls.get("provider").enumValue(TlsSettings.Provider.class);
        List<String> protocols = strings(tls.get("protocols"));
        List<String> ciphers = tls.get("cipher-suites").isAbsentOrNull() ? null : strings(tls.get("cipher-suites"));
        List<String> ciphers13 = tls.get("tls13-cipher-suites").isAbsentOrNull() ? null
                : strings(tls.get("tls13-cipher-suites"));
        boolean prefer = tls.get("prefer-server-ciphers").booleanValue(true);
        Duration handshake = seconds(tls.get("handshake-timeout"), TlsSettings.DEFAULT_HANDSHAKE_TIMEOUT, 1, 300);
        TlsSettings.KeyMaterial key = keyMaterial(tls, false);
        TlsSettings.ClientAuthMode clientAuth = tls.get("client-authentication").isAbsentOrNull()
                ? TlsSettings.ClientAuthMode.NONE
                : tls.get("client-authentication").enumValue(TlsSettings.ClientAuthMode.class);
        TlsSettings.TrustMaterial trust = trust(tls.get("trust"));
        List<TlsSettings.SniCertificate> sni = new ArrayList<>();
        ConfigNode sniNode = tls.get("sni");
        if (!sniNode.isAbsentOrNull()) {
            for (ConfigNode entry : sniNode.elements()) {
                entry.requireKeys(SNI_KEYS);
                List<String> hosts = strings(entry.get("host-names"));
                TlsSettings.KeyMaterial material = keyMaterial(entry, true);
                try {
                    sni.add(new TlsSettings.SniCertificate(hosts, material));
                } catch (IllegalArgumentException e) {
                    throw entry.invalid(e);
                }
            }
        }
        RevocationSettings revocation = revocation(tls.get("revocation"));
        Duration reload = seconds(tls.get("reload-interval"), TlsSettings.DEFAULT_RELOAD_INTERVAL, 0, 86_400);
        Duration sessionLifetime = seconds(tls.get("session-lifetime"), null, 1,
                (int) TlsSettings.MAX_SESSION_LIFETIME.toSeconds());
        TlsSettings settings;
        try {
            settings = new TlsSettings(provider, protocols, ciphers, ciphers13, prefer, handshake, clientAuth, key, trust,
                    sni, revocation, reload, tls.get("ocsp-stapling").booleanValue(false),
                    tls.get("session-tickets").booleanValue(true), sessionLifetime);
            TlsContexts.validate(settings);
        } catch (IllegalArgumentException e) {
            throw tls.invalid(e);
        }
        if (!sni.isEmpty() && key == null) {
            throw tls.get("certificate").error("is required when sni lists certificates (the default certificate)");
        }
        return settings;
    }

    /** Key material from certificate + private-key or keystore; {@code null} when none is given and not required. */
    private static TlsSettings.KeyMaterial keyMaterial(ConfigNode node, boolean required) throws ConfigException {
        boolean any = KEY_KEYS.stream().anyMatch(k -> !node.get(k).isAbsentOrNull());
        if (!any) {
            if (required) {
                throw node.get("certificate").error("is required (or keystore)");
            }
            return null;
        }
        try {
            return new TlsSettings.KeyMaterial(file(node.get("certificate")), file(node.get("private-key")),
                    node.get("private-key-password").string(null), file(node.get("keystore")),
                    node.get("keystore-password").string(null));
        } catch (IllegalArgumentException e) {
            throw node.invalid(e);
        }
    }

    private static TlsSettings.TrustMaterial trust(ConfigNode node) throws ConfigException {
        if (node.isAbsentOrNull()) {
            return null;
        }
        node.requireKeys(TRUST_KEYS);
        try {
            return new TlsSettings.TrustMaterial(file(node.get("certificates")), file(node.get("keystore")),
                    node.get("keystore-password").string(null));
        } catch (IllegalArgumentException e) {
            throw node.invalid(e);
        }
    }

    private static RevocationSettings revocation(ConfigNode node) throws ConfigException {
        if (node.isAbsentOrNull()) {
            return RevocationSettings.NONE;
        }
        node.requireKeys(REVOCATION_KEYS);
        RevocationSettings.Mode mode = node.get("mode").enumValue(RevocationSettings.Mode.class);
        List<Path> crlFiles = new ArrayList<>();
        ConfigNode files = node.get("crl-files");
        if (!files.isAbsentOrNull()) {
            for (ConfigNode f : files.elements()) {
                crlFiles.add(file(f));
            }
        }
        URI ocspUrl = null;
        ConfigNode urlNode = node.get("ocsp-url");
        if (!urlNode.isAbsentOrNull()) {
            try {
                ocspUrl = new URI(urlNode.string());
            } catch (URISyntaxException e) {
                throw urlNode.error("is not a valid URL (" + e.getReason() + ")");
            }
        }
        RevocationSettings.FailurePolicy policy = node.get("on-unavailable").isAbsentOrNull()
                ? RevocationSettings.FailurePolicy.HARD_FAIL
                : node.get("on-unavailable").enumValue(RevocationSettings.FailurePolicy.class);
        int cacheSize = node.get("cache-size").intValue(RevocationSettings.DEFAULT_CACHE_SIZE);
        if (cacheSize < 1) {
            throw node.get("cache-size").error("must be 1 or more (was " + cacheSize + ")");
        }
        try {
            return new RevocationSettings(mode, crlFiles, node.get("crl-distribution-points").booleanValue(false),
                    seconds(node.get("crl-refresh"), RevocationSettings.DEFAULT_CRL_REFRESH, 1, 7 * 86_400), ocspUrl,
                    node.get("ocsp-nonce").booleanValue(false),
                    seconds(node.get("timeout"), RevocationSettings.DEFAULT_TIMEOUT, 1, 60), policy, cacheSize,
                    scope(node.get("scope")));
        } catch (IllegalArgumentException e) {
            throw node.invalid(e);
        }
    }

    /** {@code leaf} (default): the client's certificate; {@code chain}: also the intermediates it sends. */
    private static boolean scope(ConfigNode node) throws ConfigException {
        String scope = node.string("leaf");
        return switch (scope) {
            case "leaf" -> false;
            case "chain" -> true;
            default -> throw node.error("must be one of leaf, chain (was \"" + scope + "\")");
        };
    }

    private static Duration seconds(ConfigNode node, Duration defaultValue, int min, int max) throws ConfigException {
        if (node.isAbsentOrNull()) {
            return defaultValue;
        }
        int value = node.intValue();
        if (value < min || value > max) {
            throw node.error("must be between " + min + " and " + max + " seconds (was " + value + ")");
        }
        return Duration.ofSeconds(value);
    }

    /** An existing readable file, absolute; {@code null} when the key is absent. */
    static Path file(ConfigNode node) throws ConfigException {
        if (node.isAbsentOrNull()) {
            return null;
        }
        Path path;
        try {
            path = Path.of(node.string()).toAbsolutePath().normalize();
        } catch (InvalidPathException e) {
            throw node.error("is not a valid path (" + e.getReason() + ")");
        }
        if (!Files.isReadable(path) || Files.isDirectory(path)) {
            throw node.error("file " + path + " does not exist or cannot be read");
        }
        return path;
    }

    static List<String> strings(ConfigNode node) throws ConfigException {
        if (node.isAbsentOrNull()) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        for (ConfigNode e : node.elements()) {
            out.add(e.string());
        }
        return out;
    }
}
