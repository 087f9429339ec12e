package io.rampart.tls;

/**
 * Receives what happens in TLS handshakes and revocation checks, for metrics. Called from event loops and
 * revocation threads: implementations must be cheap, thread-safe and never block.
 */
public interface TlsObserver {

    /** Observes nothing. */
    TlsObserver NOOP = new TlsObserver() {
    };

    /**
     * A handshake finished.
     *
     * @param listener the listener's name
     * @param result   {@code success} or a short failure kind: {@code revoked}, {@code expired},
     *                 {@code not-yet-valid}, {@code unknown-issuer}, {@code no-certificate}, {@code protocol}, {@code cipher},
     *                 {@code timeout}, {@code revocation-unknown} (the OCSP responder does not know the
     *                 certificate), {@code revocation-unavailable} (no revocation answer under hard-fail),
     *                 {@code error}
     * @param protocol negotiated protocol ({@code TLSv1.3}), or {@code unknown}
     * @param cipher   negotiated cipher suite, or {@code unknown}
     */
    default void handshake(String listener, String result, String protocol, String cipher) {
    }

    /**
     * A revocation check of one certificate finished.
     *
     * @param method {@code crl} or {@code ocsp}
     * @param result {@code good}, {@code revoked}, {@code unknown}, {@code unavailable} (responder or
     *               distribution point unreachable) or {@code error}
     * @param cached whether the answer came from the cache
     */
    default void revocationCheck(String method, String result, boolean cached) {
    }
}
