package io.rampart.tls;

import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;

/**
 * Why a client certificate was refused in the handshake: a short kind for metrics and the access log
 * ({@code revoked}, {@code expired}, {@code unknown-issuer}, {@code revocation-unknown},
 * {@code revocation-unavailable}, {@code error}), and the certificate's subject and serial.
 */
public final class TlsRejection extends CertificateException {

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
}
