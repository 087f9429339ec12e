package io.rampart.tls;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.netty.handler.ssl.OpenSslCertificateException;
import io.netty.handler.ssl.ReferenceCountedOpenSslEngine;
import io.netty.internal.tcnative.SSL;
import io.rampart.tls.revocation.RevocationChecker;

import java.net.Socket;
import java.security.KeyStore;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.PKIXReason;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Validates client certificates with the JDK's PKIX trust manager (path, signatures, validity), then checks
 * revocation; every refusal becomes a {@link TlsRejection} with a kind the access log and metrics use. With
 * a delegated handshake executor this runs off the event loop, so revocation fetches may block here.
 *
 * <p>The same checks run again after every completed handshake ({@link #verify}): a resumed session carries the
 * client certificate of its full handshake, and no trust manager is asked when it resumes.
 */
final class CheckingTrustManager extends X509ExtendedTrustManager {

    private final X509ExtendedTrustManager delegate;
    private final Set<X509Certificate> anchors;
    private final RevocationChecker revocation;
    /** Lifetime given to the session a client-certificate handshake creates (OpenSSL), 0 for the context's own. */
    private final long sessionLifetimeSeconds;
    /**
     * Chains whose path to these anchors was validated (signatures, constraints). That result cannot change while
     * the anchors stay the same (a trust reload makes a new trust manager), so a later check of the same chain
     * repeats only what can: validity at this moment, and revocation.
     */
    private final Cache<List<X509Certificate>, Boolean> validatedPaths = Caffeine.newBuilder()
            .maximumSize(VALIDATED_PATHS).expireAfterAccess(Duration.ofHours(1)).build();
    static final int VALIDATED_PATHS = 10_000;

    CheckingTrustManager(List<X509Certificate> trusted, RevocationChecker revocation) throws Exception {
        this(trusted, revocation, 0);
    }

    CheckingTrustManager(List<X509Certificate> trusted, RevocationChecker revocation, long sessionLifetimeSeconds)
            throws Exception {
        KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
        ks.load(null, null);
        int i = 0;
        for (X509Certificate c : trusted) {
            ks.setCertificateEntry("trusted-" + i++, c);
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
        tmf.init(ks);
        X509ExtendedTrustManager found = null;
        for (TrustManager tm : tmf.getTrustManagers()) {
            if (tm instanceof X509ExtendedTrustManager x) {
                found = x;
            }
        }
        if (found == null) {
            throw new IllegalStateException("the JDK offers no X509ExtendedTrustManager");
        }
        this.delegate = found;
        this.anchors = Set.copyOf(trusted);
        this.revocation = revocation;
        this.sessionLifetimeSeconds = sessionLifetimeSeconds;
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
        try {
            try {
                delegate.checkClientTrusted(chain, authType, engine);
            } catch (CertificateException e) {
                throw classify(e, chain);
            }
            validatedPaths.put(List.of(chain), Boolean.TRUE);
            revoke(chain);
        } catch (TlsRejection r) {
            ServerTls.rejected(engine, r);
            if (engine instanceof ReferenceCountedOpenSslEngine) {
                // Netty turns this code into the verification result, and BoringSSL that into the alert.
                throw new OpenSslCertificateException(r.getMessage(), r, r.opensslErrorCode());
            }
            throw r;
        }
        if (sessionLifetimeSeconds > 0 && engine instanceof ReferenceCountedOpenSslEngine openssl) {
            // BoringSSL gives TLS 1.3 sessions its own lifetime (two days) whatever the context says; the session
            // being made is the one the tickets will carry, and its limit also bounds every later resumption.
            SSL.setTimeout(openssl.sslPointer(), sessionLifetimeSeconds);
        }
    }

    /**
     * Checks the client chain of an established session as in a handshake (path to a trusted certificate,
     * validity now, revocation), without an engine.
     *
     * @throws TlsRejection why the certificate is no longer accepted
     */
    void verify(X509Certificate[] chain) throws TlsRejection {
        List<X509Certificate> key = List.of(chain);
        if (validatedPaths.getIfPresent(key) == null) {
            try {
                delegate.checkClientTrusted(chain, chain[0].getPublicKey().getAlgorithm());
            } catch (CertificateException e) {
                throw classify(e, chain);
            }
            validatedPaths.put(key, Boolean.TRUE);
        } else {
            for (X509Certificate c : chain) {
                try {
                    c.checkValidity();
                } catch (CertificateExpiredException e) {
                    throw validity(false, c, chain[0], e);
                } catch (CertificateNotYetValidException e) {
                    throw validity(true, c, chain[0], e);
                }
            }
        }
        revoke(chain);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        try {
            delegate.checkClientTrusted(chain, authType, socket);
        } catch (CertificateException e) {
            throw classify(e, chain);
        }
        revoke(chain);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        try {
            delegate.checkClientTrusted(chain, authType);
        } catch (CertificateException e) {
            throw classify(e, chain);
        }
        revoke(chain);
    }

    private void revoke(X509Certificate[] chain) throws TlsRejection {
        if (revocation != null) {
            revocation.check(chain, anchors);
        }
    }

    static TlsRejection classify(CertificateException e, X509Certificate[] chain) {
        X509Certificate leaf = chain == null || chain.length == 0 ? null : chain[0];
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof CertificateExpiredException) {
                return validity(false, leaf, leaf, e);
            }
            if (t instanceof CertificateNotYetValidException) {
                return validity(true, leaf, leaf, e);
            }
            if (t instanceof CertPathValidatorException v) {
                X509Certificate which = v.getIndex() >= 0 && chain != null && v.getIndex() < chain.length
                        ? chain[v.getIndex()] : leaf;
                if (v.getReason() == CertPathValidatorException.BasicReason.EXPIRED) {
                    return validity(false, which, leaf, e);
                }
                if (v.getReason() == CertPathValidatorException.BasicReason.NOT_YET_VALID) {
                    return validity(true, which, leaf, e);
                }
                if (v.getReason() == PKIXReason.NO_TRUST_ANCHOR) {
                    return new TlsRejection("unknown-issuer", "issued by an untrusted CA: " + v.getMessage(), leaf, e);
                }
            }
            if (t instanceof java.security.cert.CertPathBuilderException) {
                return new TlsRejection("unknown-issuer", "issued by an untrusted CA (no path to a trusted certificate)",
                        leaf, e);
            }
        }
        return new TlsRejection("error", "certificate refused: " + e.getMessage(), leaf, e);
    }

    /** "expired" or "not yet valid", naming the certificate (the client's own or one of its CAs) and its dates. */
    private static TlsRejection validity(boolean notYet, X509Certificate which, X509Certificate leaf, Exception e) {
        if (which == null) {
            return new TlsRejection(notYet ? "not-yet-valid" : "expired", notYet ? "certificate not yet valid"
                    : "certificate expired", leaf, e);
        }
        String whose = which == leaf ? "certificate" : "CA certificate " + which.getSubjectX500Principal().getName()
                + " in the chain";
        String period = "valid from " + Instant.ofEpochMilli(which.getNotBefore().getTime()) + " to "
                + Instant.ofEpochMilli(which.getNotAfter().getTime());
        return notYet ? new TlsRejection("not-yet-valid", whose + " not yet valid: " + period, leaf, e)
                : new TlsRejection("expired", whose + " expired: " + period, leaf, e);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
        delegate.checkServerTrusted(chain, authType, engine);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        delegate.checkServerTrusted(chain, authType, socket);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        delegate.checkServerTrusted(chain, authType);
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return delegate.getAcceptedIssuers();
    }
}
