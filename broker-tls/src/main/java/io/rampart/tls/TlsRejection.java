package io.rampart.tls;

import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;

/**
 * Why a client certificate was refused in the handshake: a short kind for metrics and the access log
 * ({@code revoked}, {@code expired}, {@code not-yet-valid}, {@code unknown-issuer}, {@code revocation-unknown},
 * {@code revocation-unavailable}, {@code error}), and the certificate's subject and serial.
 */
public final class TlsRejection extends CertificateException {

    /** OpenSSL's verification results ({@code X509_V_ERR_*}); BoringSSL turns each into the matching TLS alert. */
    private static final int X509_V_ERR_CERT_HAS_EXPIRED = 10;
    private static final int X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY = 20;
    private static final int X509_V_ERR_CERT_REVOKED = 23;
    private static final int X509_V_ERR_CERT_REJECTED = 28;

    private final String kind;
    private final String subject;
    private final String serial;

    public TlsRejection(String kind, String reason, X509Certificate certificate, Throwable cause) {
        super(reason, cause);
        this.kind = kind;
        this.subject = certificate == null ? null : certificate.getSubjectX500Principal().getName();
        this.serial = certificate == null ? null : certificate.getSerialNumber().toString(16);
    }

    public String kind() {
        return kind;
    }

    /** RFC 2253 subject DN, or {@code null}. */
    public String subject() {
        return subject;
    }

    /** Serial number in hex, or {@code null}. */
    public String serial() {
        return serial;
    }

    /**
     * The verification result to report to OpenSSL, which sends the client the alert that names the problem:
     * {@code certificate_revoked} (44), {@code certificate_expired} (45), {@code unknown_ca} (48), and
     * {@code bad_certificate} (42) for a certificate not yet valid or refused for another reason.
     */
    int opensslErrorCode() {
        return switch (kind) {
            case "revoked" -> X509_V_ERR_CERT_REVOKED;
            case "expired" -> X509_V_ERR_CERT_HAS_EXPIRED;
            // BoringSSL would answer "not yet valid" with certificate_expired, which misleads.
            case "unknown-issuer" -> X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY;
            default -> X509_V_ERR_CERT_REJECTED;
        };
    }
}
