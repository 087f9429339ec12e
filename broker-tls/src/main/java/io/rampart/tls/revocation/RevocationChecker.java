package io.rampart.tls.revocation;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import io.rampart.tls.RevocationSettings;
import io.rampart.tls.TlsConfigException;
import io.rampart.tls.TlsObserver;
import io.rampart.tls.TlsRejection;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

import java.net.http.HttpClient;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;

/**
 * Revocation checking of a client's chain during the handshake, per the listener's {@link RevocationSettings}.
 * Runs on the handshake's delegated executor (never an event loop), so network fetches may block there,
 * each bounded by the configured timeout. The client's certificate is checked, and optionally every further
 * certificate of the chain except trust anchors.
 */
public final class RevocationChecker {

    private static final Logger LOG = LogManager.getLogger(RevocationChecker.class);

    private final RevocationSettings settings;
    private final CrlChecker crl;
    private final OcspChecker ocsp;
    private final TlsObserver observer;

    private RevocationChecker(RevocationSettings settings, CrlChecker crl, OcspChecker ocsp, TlsObserver observer) {
        this.settings = settings;
        this.crl = crl;
        this.ocsp = ocsp;
        this.observer = observer;
    }

    /**
     * Caches and the HTTP client that outlive context rebuilds (a reload re-reads CRL files but keeps what was
     * fetched over the network).
     */
    public static final class Shared {
        final Cache<String, X509CRL> crls;
        final Cache<String, OcspChecker.Answer> ocspAnswers;
        final Fetcher http;

        public Shared(RevocationSettings settings) {
            Duration refresh = settings.crlRefresh();
            this.crls = Caffeine.newBuilder().maximumSize(Math.max(16, settings.cacheSize() / 100))
                    .expireAfter(new Expiry<String, X509CRL>() {
                        @Override
                        public long expireAfterCreate(String key, X509CRL value, long currentTime) {
                            long refreshNanos = refresh.toNanos();
                            if (value.getNextUpdate() == null) {
                                return refreshNanos;
                            }
                            long untilNext = Duration.between(Instant.now(), value.getNextUpdate().toInstant()).toNanos();
                            return Math.max(0, Math.min(refreshNanos, untilNext));
                        }

                        @Override
                        public long expireAfterUpdate(String key, X509CRL value, long currentTime, long currentDuration) {
                            return expireAfterCreate(key, value, currentTime);
                        }

                        @Override
                        public long expireAfterRead(String key, X509CRL value, long currentTime, long currentDuration) {
                            return currentDuration;
                        }
                    }).build();
            this.ocspAnswers = Caffeine.newBuilder().maximumSize(settings.cacheSize()).build();
            this.http = new Fetcher(HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(settings.timeout()).followRedirects(HttpClient.Redirect.NEVER).build(),
                    settings.timeout(), Caffeine.newBuilder().maximumSize(1_000)
                    .expireAfterWrite(Fetcher.UNREACHABLE_FOR).<String, String>build());
        }
    }

    /** A checker for the settings, or {@code null} when revocation checking is off. */
    public static RevocationChecker create(RevocationSettings settings, Shared shared, TlsObserver observer)
            throws TlsConfigException {
        if (settings.mode() == RevocationSettings.Mode.NONE) {
            return null;
        }
        CrlChecker crl = settings.mode().usesCrl() ? new CrlChecker(settings.crlFiles(), settings.crlDistributionPoints(),
                shared.crls, shared.http) : null;
        OcspChecker ocsp = settings.mode().usesOcsp() ? new OcspChecker(settings.ocspUrl(), settings.ocspNonce(),
                shared.ocspAnswers, shared.http) : null;
        return new RevocationChecker(settings, crl, ocsp, observer);
    }

    /**
     * Checks the chain (leaf first) that already passed path validation: the client's own certificate, and with
     * {@link RevocationSettings#wholeChain()} also the intermediate CA certificates it sent.
     *
     * @param anchors the trusted certificates, to find the issuer of the chain's last certificate
     * @throws TlsRejection when a certificate is revoked, or unanswerable under hard-fail
     */
    public void check(X509Certificate[] chain, Collection<X509Certificate> anchors) throws TlsRejection {
        int levels = settings.wholeChain() ? chain.length : Math.min(1, chain.length);
        for (int i = 0; i < levels; i++) {
            X509Certificate cert = chain[i];
            if (cert.getSubjectX500Principal().equals(cert.getIssuerX500Principal()) || anchors.contains(cert)) {
                continue;
            }
            X509Certificate issuer = i + 1 < chain.length ? chain[i + 1] : null;
            if (issuer == null || !issuer.getSubjectX500Principal().equals(cert.getIssuerX500Principal())) {
                issuer = anchors.stream().filter(a -> a.getSubjectX500Principal().equals(cert.getIssuerX500Principal()))
                        .findFirst().orElse(null);
            }
            if (issuer == null) {
                throw new TlsRejection("unknown-issuer", "no issuer certificate to check revocation against",
                        chain[0], null);
            }
            checkOne(cert, issuer, chain[0]);
        }
    }

    private void checkOne(X509Certificate cert, X509Certificate issuer, X509Certificate leaf) throws TlsRejection {
        RevocationStatus status = switch (settings.mode()) {
            case CRL -> ask(crl, cert, issuer);
            case OCSP -> ask(ocsp, cert, issuer);
            case OCSP_THEN_CRL -> fallback(ask(ocsp, cert, issuer), crl, cert, issuer);
            case CRL_THEN_OCSP -> fallback(ask(crl, cert, issuer), ocsp, cert, issuer);
            case BOTH -> combine(ask(ocsp, cert, issuer), ask(crl, cert, issuer));
            case NONE -> throw new IllegalStateException();
        };
        String who = cert.getSubjectX500Principal().getName() + " (serial " + cert.getSerialNumber().toString(16) + ")";
        switch (status.state()) {
            case GOOD -> {
            }
            case REVOKED -> throw new TlsRejection("revoked", who + " " + status.detail(), leaf, null);
            case UNKNOWN -> throw new TlsRejection("revocation-unknown", who + ": " + status.detail(), leaf, null);
            case UNAVAILABLE -> {
                if (settings.onUnavailable() == RevocationSettings.FailurePolicy.SOFT_FAIL) {
                    LOG.warn("revocation status of {} unavailable, allowed by soft-fail: {}", who, status.detail());
                } else {
                    throw new TlsRejection("revocation-unavailable", "revocation status of " + who
                            + " unavailable (hard-fail): " + status.detail(), leaf, null);
                }
            }
        }
    }

    private RevocationStatus ask(Object source, X509Certificate cert, X509Certificate issuer) {
        RevocationStatus status;
        try {
            status = source instanceof CrlChecker c ? c.check(cert, issuer) : ((OcspChecker) source).check(cert, issuer);
        } catch (RuntimeException e) {
            String method = source instanceof CrlChecker ? CrlChecker.METHOD : OcspChecker.METHOD;
            LOG.warn("revocation check ({}) failed unexpectedly", method, e);
            status = new RevocationStatus(RevocationStatus.State.UNAVAILABLE, method, "check failed: " + e, false);
            observer.revocationCheck(method, "error", false);
            return status;
        }
        observer.revocationCheck(status.method(), status.state().metricName(), status.cached());
        return status;
    }

    private RevocationStatus fallback(RevocationStatus first, Object second, X509Certificate cert, X509Certificate issuer) {
        if (first.state() != RevocationStatus.State.UNAVAILABLE) {
            return first;
        }
        RevocationStatus next = ask(second, cert, issuer);
        if (next.state() == RevocationStatus.State.UNAVAILABLE) {
            return new RevocationStatus(next.state(), next.method(), first.detail() + "; " + next.detail(), false);
        }
        return next;
    }

    private static RevocationStatus combine(RevocationStatus a, RevocationStatus b) {
        for (RevocationStatus.State s : new RevocationStatus.State[]{RevocationStatus.State.REVOKED,
                RevocationStatus.State.UNAVAILABLE, RevocationStatus.State.UNKNOWN}) {
            if (a.state() == s) {
                return a;
            }
            if (b.state() == s) {
                return b;
            }
        }
        return a;
    }
}
