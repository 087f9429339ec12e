package io.rampart.tls.revocation;

import io.netty.util.concurrent.DefaultThreadFactory;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

import java.net.http.HttpClient;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Keeps a fresh OCSP response for each of a listener's server certificates, to staple into handshakes
 * (OpenSSL provider). Fetched from the certificate's AIA responder on the stapler's own thread, never on an
 * event loop; refreshed at half the response's validity (at least every minute, at most every 12 hours); a
 * failed fetch keeps the previous response while it is valid and retries after a minute.
 */
public final class OcspStapler implements AutoCloseable {

    private static final Logger LOG = LogManager.getLogger(OcspStapler.class);
    private static final Duration RETRY = Duration.ofMinutes(1);
    private static final Duration MAX_REFRESH = Duration.ofHours(12);

    private record Stapled(byte[] response, Instant until) {
    }

    private final String listener;
    private final OcspChecker ocsp;
    private final ScheduledExecutorService thread;
    private final Map<X509Certificate, Stapled> responses = new ConcurrentHashMap<>();
    private final Map<X509Certificate, Boolean> tracked = new ConcurrentHashMap<>();

    public OcspStapler(String listener, Duration timeout) {
        this.listener = listener;
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(timeout)
                .followRedirects(HttpClient.Redirect.NEVER).build();
        this.ocsp = new OcspChecker(null, false, null, new Fetcher(http, timeout, null));
        this.thread = Executors.newSingleThreadScheduledExecutor(new DefaultThreadFactory("rampart-ocsp-staple-" + listener, true));
    }

    /** The certificate's OCSP responder URL, or {@code null} when it names none. */
    public static String responderUrl(X509Certificate cert) {
        return OcspChecker.aiaUrl(cert);
    }

    /** Starts keeping a response for {@code chain[0]} (issuer {@code chain[1]}); no-op when already tracked. */
    public void track(X509Certificate[] chain) {
        if (tracked.putIfAbsent(chain[0], Boolean.TRUE) == null) {
            thread.execute(() -> refresh(chain[0], chain[1]));
        }
    }

    /** Stops keeping responses for certificates other than {@code leaves} (after a reload replaced them). */
    public void retainOnly(java.util.Collection<X509Certificate> leaves) {
        tracked.keySet().retainAll(leaves);
        responses.keySet().retainAll(leaves);
    }

    /** The response to staple for {@code cert}, or {@code null} when none is valid now. */
    public byte[] response(X509Certificate cert) {
        Stapled s = responses.get(cert);
        return s == null || s.until().isBefore(Instant.now()) ? null : s.response();
    }

    private void refresh(X509Certificate cert, X509Certificate issuer) {
        String url = OcspChecker.aiaUrl(cert);
        Duration next = RETRY;
        try {
            OcspChecker.Answer answer = ocsp.ask(url, cert, issuer);
            if (answer.response() != null) {
                responses.put(cert, new Stapled(answer.response(), answer.until()));
                Duration half = Duration.between(Instant.now(), answer.until()).dividedBy(2);
                next = half.compareTo(RETRY) < 0 ? RETRY : half.compareTo(MAX_REFRESH) > 0 ? MAX_REFRESH : half;
                if (answer.state() != RevocationStatus.State.GOOD) {
                    LOG.warn("listener '{}': the OCSP responder says the server certificate {} is {}: {}", listener,
                            cert.getSubjectX500Principal().getName(), answer.state().metricName(), answer.detail());
                }
            } else {
                LOG.warn("listener '{}': no OCSP response to staple for {}: {}", listener,
                        cert.getSubjectX500Principal().getName(), answer.detail());
            }
        } catch (Exception e) {
            LOG.warn("listener '{}': OCSP responder {} unreachable for stapling: {}", listener, url, e.toString());
        }
        if (!thread.isShutdown() && tracked.containsKey(cert)) {
            thread.schedule(() -> refresh(cert, issuer), next.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    @Override
    public void close() {
        thread.shutdownNow();
    }
}
