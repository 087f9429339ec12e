package io.rampart.tls;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * How client certificates are checked for revocation during the handshake.
 *
 * @param mode                  which sources are asked, in which order
 * @param crlFiles              CRL files (PEM or DER, any number of issuers)
 * @param crlDistributionPoints fetch CRLs from the certificate's HTTP distribution points
 * @param crlRefresh            a fetched CRL is refetched after this long even when its nextUpdate is later
 * @param ocspUrl               the OCSP responder to ask, or {@code null} to use the certificate's AIA extension
 * @param ocspNonce             send a nonce and require it back (defeats replayed responses; disables caching
 *                              benefits only for the responder, not here: answers are still cached)
 * @param timeout               bound of one network fetch (connect + answer)
 * @param onUnavailable         what to do when no answer can be had (responder down, no CRL, CRL expired)
 * @param cacheSize             bound of the OCSP answer and fetched-CRL caches
 * @param wholeChain            check the intermediate CA certificates the client sends too, not only its own
 *                              certificate (each level then needs an answer)
 */
public record RevocationSettings(Mode mode, List<Path> crlFiles, boolean crlDistributionPoints, Duration crlRefresh,
                                 URI ocspUrl, boolean ocspNonce, Duration timeout, FailurePolicy onUnavailable,
                                 int cacheSize, boolean wholeChain) {

    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);
    public static final Duration DEFAULT_CRL_REFRESH = Duration.ofHours(1);
    public static final int DEFAULT_CACHE_SIZE = 10_000;
    /** No revocation checking (declared after the defaults it uses). */
    public static final RevocationSettings NONE = new RevocationSettings(Mode.NONE, List.of(), false, null, null,
            false, null, null, 0, false);

    /** Which revocation sources are asked. */
    public enum Mode {
        /** No revocation checking. */
        NONE,
        /** CRLs only (files, then distribution points). */
        CRL,
        /** OCSP only. */
        OCSP,
        /** OCSP first; CRLs when the responder cannot answer. */
        OCSP_THEN_CRL,
        /** CRLs first; OCSP when no CRL can be had. */
        CRL_THEN_OCSP,
        /** Both must answer "good". */
        BOTH;

        public boolean usesCrl() {
            return this != NONE && this != OCSP;
        }

        public boolean usesOcsp() {
            return this != NONE && this != CRL;
        }
    }

    /** What an unanswerable revocation check does to the handshake. */
    public enum FailurePolicy {
        /** Refuse the handshake. */
        HARD_FAIL,
        /** Allow it, log a warning and count it. */
        SOFT_FAIL
    }

    public RevocationSettings {
        mode = mode == null ? Mode.NONE : mode;
        crlFiles = crlFiles == null ? List.of() : List.copyOf(crlFiles);
        crlRefresh = crlRefresh == null ? DEFAULT_CRL_REFRESH : crlRefresh;
        timeout = timeout == null ? DEFAULT_TIMEOUT : timeout;
        onUnavailable = onUnavailable == null ? FailurePolicy.HARD_FAIL : onUnavailable;
        cacheSize = cacheSize <= 0 ? DEFAULT_CACHE_SIZE : cacheSize;
        if (timeout.isZero() || timeout.isNegative()) {
            throw new IllegalArgumentException("timeout: must be positive");
        }
        if (crlRefresh.isZero() || crlRefresh.isNegative()) {
            throw new IllegalArgumentException("crl-refresh: must be positive");
        }
        if (mode.usesCrl() && crlFiles.isEmpty() && !crlDistributionPoints) {
            throw new IllegalArgumentException("crl-files: mode " + mode.name().toLowerCase().replace('_', '-')
                    + " needs crl-files or crl-distribution-points: true");
        }
        if (ocspUrl != null && !("http".equals(ocspUrl.getScheme()) || "https".equals(ocspUrl.getScheme()))) {
            throw new IllegalArgumentException("ocsp-url: must be an http or https URL (was \"" + ocspUrl + "\")");
        }
    }
}
