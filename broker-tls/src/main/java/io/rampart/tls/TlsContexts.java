package io.rampart.tls;

import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;

/** Provider choice, cipher validation and {@link SslContext} building for server listeners. */
public final class TlsContexts {

    private static final Logger LOG = LogManager.getLogger(TlsContexts.class);
    private static final AtomicBoolean FALLBACK_LOGGED = new AtomicBoolean();
    /** TLS 1.3 suites offered when only TLS 1.2 suites are configured. */
    static final List<String> DEFAULT_TLS13 = List.of("TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384",
            "TLS_CHACHA20_POLY1305_SHA256");

    /**
     * TLS 1.2 suites used when {@code cipher-suites} is not configured, in the server's order of preference: forward
     * secrecy (ECDHE) and authenticated encryption (GCM, ChaCha20-Poly1305) only, AES-128-GCM first, as in Mozilla's
     * "intermediate" server profile. The libraries' own defaults also accept static-RSA key exchange (no forward
     * secrecy) and CBC with SHA-1. Suites a provider lacks are left out.
     */
    static final List<String> DEFAULT_TLS12 = List.of(
            "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256");

    /** The JDK's switch for refusing TLS 1.2 renegotiation that the client starts. */
    static final String REJECT_CLIENT_RENEGOTIATION = "jdk.tls.rejectClientInitiatedRenegotiation";

    static {
        // A client-initiated TLS 1.2 renegotiation makes the server do a full handshake on request, a cheap way
        // to burn its CPU, and MQTT never needs one. BoringSSL refuses it; the JDK accepts it unless this is set
        // before its first server handshake. An operator's own -D setting is left as it is.
        if (System.getProperty(REJECT_CLIENT_RENEGOTIATION) == null) {
            System.setProperty(REJECT_CLIENT_RENEGOTIATION, "true");
        }
    }

    private TlsContexts() {
    }

    /**
     * The Netty provider for a setting; AUTO falls back to the JDK when OpenSSL cannot load (logged once).
     * OpenSSL contexts and engines are the reference-counted kind: no finalizers on the handshake path; each
     * engine holds its context, so a replaced context is freed when its last connection closes.
     */
    public static SslProvider provider(TlsSettings.Provider provider) {
        switch (provider) {
            case JDK:
                return SslProvider.JDK;
            case OPENSSL:
                if (!OpenSsl.isAvailable()) {
                    throw new IllegalArgumentException("provider: openssl cannot be used: the native library did not load ("
                            + OpenSsl.unavailabilityCause() + "); use provider: jdk");
                }
                return SslProvider.OPENSSL_REFCNT;
            default:
                if (OpenSsl.isAvailable()) {
                    return SslProvider.OPENSSL_REFCNT;
                }
                if (FALLBACK_LOGGED.compareAndSet(false, true)) {
                    LOG.warn("OpenSSL (netty-tcnative BoringSSL) is not available, TLS listeners use the JDK provider: {}",
                            String.valueOf(OpenSsl.unavailabilityCause()));
                }
                return SslProvider.JDK;
        }
    }

    /** The provider's name for log lines. */
    public static String providerName(SslProvider provider) {
        return provider == SslProvider.JDK ? "jdk" : "openssl (" + OpenSsl.versionString() + ")";
    }

    /**
     * Checks protocols and cipher suites against what the provider supports.
     *
     * @throws IllegalArgumentException "key: reason" naming the unsupported value
     */
    public static void validate(TlsSettings settings) {
        SslProvider provider = provider(settings.provider());
        if (settings.ocspStapling() && (provider == SslProvider.JDK || !OpenSsl.isOcspSupported())) {
            throw new IllegalArgumentException("ocsp-stapling: needs the openssl provider with OCSP support"
                    + (provider == SslProvider.JDK ? " (OpenSSL is not available: " + OpenSsl.unavailabilityCause() + ")" : ""));
        }
        if (!settings.sessionTickets() && provider == SslProvider.JDK) {
            throw new IllegalArgumentException("session-tickets: false needs the openssl provider (the JDK cannot switch"
                    + " session resumption off for one listener" + (settings.provider() == TlsSettings.Provider.AUTO
                    ? "; OpenSSL is not available: " + OpenSsl.unavailabilityCause() : "") + ")");
        }
        Set<String> supported = supportedCiphers(provider);
        String providerName = provider == SslProvider.JDK ? "jdk" : "openssl";
        if (settings.cipherSuites() != null) {
            for (String c : settings.cipherSuites()) {
                if (isTls13(c)) {
                    throw new IllegalArgumentException("cipher-suites: '" + c + "' is a TLS 1.3 suite; list it under"
                            + " tls13-cipher-suites");
                }
                if (!supported.contains(c)) {
                    throw new IllegalArgumentException("cipher-suites: unknown or unsupported cipher suite '" + c
                            + "' on the " + providerName + " provider (use IANA names like"
                            + " TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256)");
                }
            }
        }
        if (settings.tls13CipherSuites() != null) {
            if (!settings.protocols().contains("TLSv1.3")) {
                throw new IllegalArgumentException("tls13-cipher-suites: TLSv1.3 is not in protocols");
            }
            for (String c : settings.tls13CipherSuites()) {
                if (!isTls13(c) || !supported.contains(c)) {
                    throw new IllegalArgumentException("tls13-cipher-suites: unknown or unsupported TLS 1.3 cipher suite '"
                            + c + "' on the " + providerName + " provider");
                }
            }
            if (provider != SslProvider.JDK && OpenSsl.versionString().contains("BoringSSL")
                    && !settings.tls13CipherSuites().containsAll(DEFAULT_TLS13)) {
                throw new IllegalArgumentException("tls13-cipher-suites: BoringSSL always offers all of " + DEFAULT_TLS13
                        + " for TLS 1.3 and cannot restrict them; use provider: jdk to restrict TLS 1.3 suites");
            }
        }
        if (settings.cipherSuites() != null && settings.protocols().equals(List.of("TLSv1.3"))) {
            throw new IllegalArgumentException("cipher-suites: only apply to TLSv1.2, which is not in protocols;"
                    + " use tls13-cipher-suites");
        }
    }

    /**
     * The TLS 1.2 suites of {@code cipher-suites} that a server key of this type cannot serve: ECDSA suites need an EC
     * (or EdDSA) key, RSA suites (ECDHE-RSA, DHE-RSA, static RSA) an RSA key. Empty without {@code cipher-suites}
     * (the defaults have suites for both) or without TLS 1.2.
     */
    static List<String> suitesNotFitting(TlsSettings s, java.security.PrivateKey key) {
        if (s.cipherSuites() == null || !s.protocols().contains("TLSv1.2")) {
            return List.of();
        }
        String type = keyType(key);
        List<String> out = new ArrayList<>();
        for (String suite : s.cipherSuites()) {
            String needs = suite.contains("_ECDSA_") ? "EC" : suite.contains("_RSA_") ? "RSA" : null;
            if (needs != null && type != null && !needs.equals(type)) {
                out.add(suite);
            }
        }
        return out;
    }

    /** {@code EC} or {@code RSA} as the TLS 1.2 suites see a key, or {@code null} when neither applies. */
    static String keyType(java.security.PrivateKey key) {
        return switch (key.getAlgorithm()) {
            case "EC", "ECDSA", "Ed25519", "Ed448", "EdDSA" -> "EC";
            case "RSA", "RSASSA-PSS" -> "RSA";
            default -> null;
        };
    }

    static boolean isTls13(String cipher) {
        return cipher.startsWith("TLS_") && !cipher.contains("_WITH_");
    }

    static Set<String> supportedCiphers(SslProvider provider) {
        if (provider != SslProvider.JDK) {
            return OpenSsl.availableJavaCipherSuites();
        }
        try {
            return Set.of(SSLContext.getDefault().getSupportedSSLParameters().getCipherSuites());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The cipher list for the context: the configured suites, or {@link #DEFAULT_TLS12} for TLS 1.2 and the
     * provider's TLS 1.3 suites ({@link #DEFAULT_TLS13} where the provider lets them be chosen).
     */
    static List<String> ciphers(TlsSettings s, SslProvider provider) {
        Set<String> supported = supportedCiphers(provider);
        Set<String> out = new LinkedHashSet<>();
        if (s.protocols().contains("TLSv1.3")) {
            List<String> tls13 = s.tls13CipherSuites() != null ? s.tls13CipherSuites() : DEFAULT_TLS13;
            tls13.stream().filter(supported::contains).forEach(out::add);
        }
        if (s.protocols().contains("TLSv1.2")) {
            if (s.cipherSuites() != null) {
                out.addAll(s.cipherSuites());
            } else {
                DEFAULT_TLS12.stream().filter(supported::contains).forEach(out::add);
            }
        }
        return new ArrayList<>(out);
    }

    /** Builds one server context for one certificate. */
    static SslContext build(TlsSettings s, SslProvider provider, KeyMaterials.Loaded key, TrustManager trust)
            throws TlsConfigException {
        try {
            SslContextBuilder b = (provider == SslProvider.JDK
                    ? SslContextBuilder.forServer(key.key(), key.chain())
                    : SslContextBuilder.forServer(cachingKeyManagers(key)))
                    .sslProvider(provider)
                    .protocols(s.protocols())
                    .clientAuth(switch (s.clientAuth()) {
                        case NONE -> ClientAuth.NONE;
                        case OPTIONAL -> ClientAuth.OPTIONAL;
                        case REQUIRED -> ClientAuth.REQUIRE;
                    });
            b.ciphers(ciphers(s, provider));
            if (trust != null) {
                b.trustManager(trust);
            }
            if (s.ocspStapling()) {
                b.enableOcsp(true);
            }
            // The resumption window: TLS 1.2 sessions and tickets, and the JDK's TLS 1.3 tickets (BoringSSL's TLS 1.3
            // tickets get it through the trust manager, see CheckingTrustManager).
            b.sessionTimeout(s.sessionLifetime().toSeconds());
            SslContext context = b.build();
            if (!s.sessionTickets() && context instanceof io.netty.handler.ssl.ReferenceCountedOpenSslContext openssl) {
                // No session cache and no TLS 1.3 tickets (TLS 1.2 tickets: per engine, see ServerTls).
                try {
                    openssl.sessionContext().setSessionCacheEnabled(false);
                    io.netty.internal.tcnative.SSLContext.setNumTickets(tcnativeContext(openssl), 0);
                } catch (ReflectiveOperationException | RuntimeException e) {
                    io.netty.util.ReferenceCountUtil.release(context);
                    throw e;
                }
            }
            return context;
        } catch (Exception e) {
            throw new TlsConfigException("cannot build the TLS context (" + e.getMessage() + ")", e);
        }
    }

    /**
     * OpenSSL: a key manager whose native key material is made once, not on every handshake (which is what
     * Netty does for a plain key manager: encode and parse key and chain per connection).
     */
    private static javax.net.ssl.KeyManagerFactory cachingKeyManagers(KeyMaterials.Loaded key) throws Exception {
        char[] password = "rampart".toCharArray();
        java.security.KeyStore ks = java.security.KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setKeyEntry("server", key.key(), password, key.chain());
        javax.net.ssl.KeyManagerFactory kmf = javax.net.ssl.KeyManagerFactory.getInstance(
                javax.net.ssl.KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, password);
        javax.net.ssl.KeyManagerFactory caching = new io.netty.handler.ssl.OpenSslCachingX509KeyManagerFactory(kmf);
        caching.init(ks, password);
        return caching;
    }

    /**
     * netty-tcnative's handle of an OpenSSL context, which its {@code SSLContext} functions take (Netty keeps it in a
     * protected field and offers only the raw {@code SSL_CTX} pointer, which those functions must not get).
     */
    private static long tcnativeContext(io.netty.handler.ssl.ReferenceCountedOpenSslContext context)
            throws ReflectiveOperationException {
        java.lang.reflect.Field ctx = io.netty.handler.ssl.ReferenceCountedOpenSslContext.class.getDeclaredField("ctx");
        ctx.setAccessible(true);
        return ctx.getLong(context);
    }

    static String lower(Enum<?> e) {
        return e.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
