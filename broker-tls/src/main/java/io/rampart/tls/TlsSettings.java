package io.rampart.tls;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The TLS settings of one listener, immutable and validated.
 *
 * @param provider            which TLS implementation serves the listener
 * @param protocols           {@code TLSv1.2} and/or {@code TLSv1.3}; nothing older is accepted
 * @param cipherSuites        TLS 1.2 cipher suites (IANA/Java names) in preference order, or {@code null} for the
 *                            provider's secure defaults
 * @param tls13CipherSuites   TLS 1.3 cipher suites, or {@code null} for the provider's defaults
 * @param preferServerCiphers the server's cipher order wins over the client's
 * @param handshakeTimeout    a handshake not finished by then closes the connection
 * @param clientAuth          whether clients must, may or may not present a certificate
 * @param keyMaterial         the default server certificate and key, or {@code null}: a development certificate
 *                            is generated into the data directory
 * @param trust               certificates that vouch for client certificates; required unless client
 *                            authentication is off
 * @param sni                 further certificates chosen by the host name the client asks for
 * @param revocation          revocation checking of client certificates
 * @param reloadInterval      how often key, certificate, trust and CRL files are checked for changes;
 *                            {@link Duration#ZERO} switches reloading off
 * @param ocspStapling        staple an OCSP response for the server certificates (OpenSSL provider; each
 *                            certificate needs an AIA OCSP URL and its issuer in the chain)
 * @param sessionTickets      issue session tickets and keep a session cache, so clients can resume (a resumed
 *                            session's client certificate is checked again, as in a full handshake); {@code false}:
 *                            every connection makes a full handshake (OpenSSL provider only)
 * @param sessionLifetime     how long a session can be resumed after its full handshake (the ticket lifetime);
 *                            {@code null}: {@link #DEFAULT_SESSION_LIFETIME_WITH_REVOCATION} on listeners that check
 *                            revocation, {@link #DEFAULT_SESSION_LIFETIME} on others
 * @throws IllegalArgumentException "key: reason" when a value is impossible
 */
public record TlsSettings(Provider provider, List<String> protocols, List<String> cipherSuites,
                          List<String> tls13CipherSuites, boolean preferServerCiphers, Duration handshakeTimeout,
                          ClientAuthMode clientAuth, KeyMaterial keyMaterial, TrustMaterial trust,
                          List<SniCertificate> sni, RevocationSettings revocation, Duration reloadInterval,
                          boolean ocspStapling, boolean sessionTickets, Duration sessionLifetime) {

    public static final List<String> DEFAULT_PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");
    public static final Duration DEFAULT_HANDSHAKE_TIMEOUT = Duration.ofSeconds(10);
    public static final Duration DEFAULT_RELOAD_INTERVAL = Duration.ofSeconds(10);
    public static final Duration DEFAULT_SESSION_LIFETIME = Duration.ofHours(1);
    public static final Duration DEFAULT_SESSION_LIFETIME_WITH_REVOCATION = Duration.ofMinutes(5);
    /** The longest ticket lifetime TLS 1.3 allows (RFC 8446, 4.6.1). */
    public static final Duration MAX_SESSION_LIFETIME = Duration.ofDays(7);
    private static final List<String> ALLOWED_PROTOCOLS = List.of("TLSv1.2", "TLSv1.3");

    /** Which TLS implementation serves a listener. */
    public enum Provider {
        /** OpenSSL (BoringSSL) when its native library loads, otherwise the JDK (logged once, with the reason). */
        AUTO,
        /** OpenSSL (BoringSSL via netty-tcnative); refuses to start when it cannot load. */
        OPENSSL,
        /** The JDK's own implementation (JSSE). */
        JDK
    }

    /** Whether clients present certificates. */
    public enum ClientAuthMode {
        NONE, OPTIONAL, REQUIRED
    }

    /**
     * Server key material: a PEM certificate chain with a PEM private key (PKCS#8, optionally encrypted, or
     * the traditional OpenSSL formats), or a PKCS#12 key store.
     */
    public record KeyMaterial(Path certificateChain, Path privateKey, String privateKeyPassword, Path keystore,
                              String keystorePassword) {
        public KeyMaterial {
            boolean pem = certificateChain != null || privateKey != null;
            if (pem && keystore != null) {
                throw new IllegalArgumentException("keystore: give either certificate + private-key or keystore, not both");
            }
            if (pem && (certificateChain == null || privateKey == null)) {
                throw new IllegalArgumentException((certificateChain == null ? "certificate" : "private-key")
                        + ": is required with " + (certificateChain == null ? "private-key" : "certificate"));
            }
            if (!pem && keystore == null) {
                throw new IllegalArgumentException("certificate: give certificate + private-key or keystore");
            }
        }

        public static KeyMaterial pem(Path certificateChain, Path privateKey, String password) {
            return new KeyMaterial(certificateChain, privateKey, password, null, null);
        }

        public static KeyMaterial pkcs12(Path keystore, String password) {
            return new KeyMaterial(null, null, null, keystore, password);
        }

        /** The files to watch for changes. */
        public List<Path> files() {
            List<Path> out = new ArrayList<>();
            if (keystore != null) {
                out.add(keystore);
            } else {
                out.add(certificateChain);
                out.add(privateKey);
            }
            return out;
        }
    }

    /** Trust material for client certificates: a PEM bundle or a PKCS#12 store (exactly one). */
    public record TrustMaterial(Path certificates, Path keystore, String keystorePassword) {
        public TrustMaterial {
            if ((certificates == null) == (keystore == null)) {
                throw new IllegalArgumentException("certificates: give either certificates (PEM) or keystore (PKCS#12)");
            }
        }

        public Path file() {
            return certificates != null ? certificates : keystore;
        }
    }

    /**
     * A certificate served to clients asking for one of its host names (SNI).
     *
     * @param hostNames names like {@code broker.example.com} or {@code *.example.com}
     */
    public record SniCertificate(List<String> hostNames, KeyMaterial keyMaterial) {
        public SniCertificate {
            hostNames = List.copyOf(hostNames);
            Objects.requireNonNull(keyMaterial, "keyMaterial");
            if (hostNames.isEmpty()) {
                throw new IllegalArgumentException("host-names: must list at least one host name");
            }
        }
    }

    public TlsSettings {
        provider = provider == null ? Provider.AUTO : provider;
        protocols = protocols == null || protocols.isEmpty() ? DEFAULT_PROTOCOLS : List.copyOf(protocols);
        for (String p : protocols) {
            if (!ALLOWED_PROTOCOLS.contains(p)) {
                throw new IllegalArgumentException("protocols: '" + p + "' is not allowed (supported: TLSv1.2, TLSv1.3;"
                        + " older versions are insecure)");
            }
        }
        cipherSuites = cipherSuites == null ? null : List.copyOf(cipherSuites);
        tls13CipherSuites = tls13CipherSuites == null ? null : List.copyOf(tls13CipherSuites);
        if (cipherSuites != null && cipherSuites.isEmpty()) {
            throw new IllegalArgumentException("cipher-suites: must list at least one cipher suite, or be left out");
        }
        if (tls13CipherSuites != null && tls13CipherSuites.isEmpty()) {
            throw new IllegalArgumentException("tls13-cipher-suites: must list at least one cipher suite, or be left out");
        }
        handshakeTimeout = handshakeTimeout == null ? DEFAULT_HANDSHAKE_TIMEOUT : handshakeTimeout;
        if (handshakeTimeout.isNegative() || handshakeTimeout.isZero()) {
            throw new IllegalArgumentException("handshake-timeout: must be positive");
        }
        clientAuth = clientAuth == null ? ClientAuthMode.NONE : clientAuth;
        sni = sni == null ? List.of() : List.copyOf(sni);
        revocation = revocation == null ? RevocationSettings.NONE : revocation;
        reloadInterval = reloadInterval == null ? DEFAULT_RELOAD_INTERVAL : reloadInterval;
        if (reloadInterval.isNegative()) {
            throw new IllegalArgumentException("reload-interval: must not be negative");
        }
        if (clientAuth != ClientAuthMode.NONE && trust == null) {
            throw new IllegalArgumentException("trust: is required when client-authentication is "
                    + clientAuth.name().toLowerCase(java.util.Locale.ROOT) + " (the CA certificates client certificates must chain to)");
        }
        if (ocspStapling && provider == Provider.JDK) {
            throw new IllegalArgumentException("ocsp-stapling: needs the openssl provider");
        }
        if (clientAuth == ClientAuthMode.NONE && revocation.mode() != RevocationSettings.Mode.NONE) {
            throw new IllegalArgumentException("revocation: checks client certificates, so client-authentication"
                    + " must be optional or required");
        }
        if (!sessionTickets && provider == Provider.JDK) {
            throw new IllegalArgumentException("session-tickets: false needs the openssl provider (the JDK cannot switch"
                    + " session resumption off for one listener)");
        }
        if (sessionLifetime == null) {
            sessionLifetime = revocation.mode() != RevocationSettings.Mode.NONE ? DEFAULT_SESSION_LIFETIME_WITH_REVOCATION
                    : DEFAULT_SESSION_LIFETIME;
        }
        if (sessionLifetime.toSeconds() < 1 || sessionLifetime.compareTo(MAX_SESSION_LIFETIME) > 0) {
            throw new IllegalArgumentException("session-lifetime: must be between 1 s and 7 days (was "
                    + sessionLifetime.toSeconds() + " s)");
        }
    }

    /** Settings with the secure defaults and the given key material. */
    public static TlsSettings defaults(KeyMaterial keyMaterial) {
        return new TlsSettings(null, null, null, null, true, null, null, keyMaterial, null, null, null, null, false, true,
                null);
    }

    /** A copy with other default key material (used to fill in the development certificate). */
    public TlsSettings withKeyMaterial(KeyMaterial material) {
        return new TlsSettings(provider, protocols, cipherSuites, tls13CipherSuites, preferServerCiphers,
                handshakeTimeout, clientAuth, material, trust, sni, revocation, reloadInterval, ocspStapling, sessionTickets,
                sessionLifetime);
    }

    /** Whether the handshake asks clients for certificates (and so a session may carry one to check). */
    public boolean verifiesClients() {
        return clientAuth != ClientAuthMode.NONE;
    }

    /** Every file the context is built from (watched for hot reload). */
    public List<Path> files() {
        List<Path> out = new ArrayList<>();
        if (keyMaterial != null) {
            out.addAll(keyMaterial.files());
        }
        for (SniCertificate s : sni) {
            out.addAll(s.keyMaterial().files());
        }
        if (trust != null) {
            out.add(trust.file());
        }
        out.addAll(revocation.crlFiles());
        return out;
    }
}
