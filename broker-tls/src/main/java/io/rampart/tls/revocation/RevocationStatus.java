package io.rampart.tls.revocation;

/**
 * One source's answer about one certificate.
 *
 * @param state  the answer
 * @param method {@code crl} or {@code ocsp}
 * @param detail operator-facing text (revocation reason, why no answer could be had)
 * @param cached whether the answer came from a cache
 */
public record RevocationStatus(State state, String method, String detail, boolean cached) {

    public enum State {
        GOOD, REVOKED, UNKNOWN, UNAVAILABLE;

        /** The spelling used in metrics. */
        public String metricName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    static RevocationStatus unavailable(String method, String detail) {
        return new RevocationStatus(State.UNAVAILABLE, method, detail, false);
    }
}
