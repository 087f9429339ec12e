package io.rampart.tls;

import io.rampart.tls.revocation.RevocationChecker;

import java.net.Socket;
import java.security.KeyStore;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.PKIXReason;
import java.security.cert.X509Certificate;
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
 */
final class CheckingTrustManager extends X509ExtendedTrustManager {

    private final X509ExtendedTrustManager delegate;
    private final Set<X509Certificate> anchors;
    private final RevocationChecker revocation;

    CheckingTrustManager(List<X509Certificate> trusted, RevocationChecker revocation) throws Exception {
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
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
        try {
            try {
                delegate.checkClientTrusted(chain, authType, engine);
            } catch (CertificateException e) {
                throw classify(e, chain);
            }
            revoke(chain);
        } catch (TlsRejection r) {
            ServerTls.rejected(engine, r);
            throw r;
        }
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
                return new TlsRejection("expired", "certificate expired: " + t.getMessage(), leaf, e);
            }
            if (t instanceof CertificateNotYetValidException) {
                return new TlsRejection("expired", "certificate not yet valid: " + t.getMessage(), leaf, e);
            }
            if (t instanceof CertPathValidatorException v) {
                if (v.getReason() == CertPathValidatorException.BasicReason.EXPIRED
                        || v.getReason() == CertPathValidatorException.BasicReason.NOT_YET_VALID) {
                    return new TlsRejection("expired", "certificate outside its validity period: " + v.getMessage(), leaf, e);
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
