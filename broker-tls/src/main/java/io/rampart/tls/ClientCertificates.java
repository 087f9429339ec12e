package io.rampart.tls;

import io.netty.util.AttributeKey;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x500.style.IETFUtils;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.Certificate;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import javax.security.auth.x500.X500Principal;

/**
 * Turns a TLS session and its client certificate into identity variables for the security pipeline, so
 * permissions can say {@code devices/${tls-subject-cn}/#}. Several values of one field (OUs, SAN entries)
 * are joined with commas. Variables of absent fields are not set.
 */
public final class ClientCertificates {

    /** Where the handshake handler leaves the variables on the channel (absent on plain listeners). */
    public static final AttributeKey<Map<String, String>> VARIABLES = AttributeKey.valueOf("rampart.tls.variables");

    public static final String PROTOCOL = "tls-protocol";
    public static final String CIPHER = "tls-cipher";
    public static final String SUBJECT_CN = "tls-subject-cn";
    public static final String SUBJECT_O = "tls-subject-o";
    public static final String SUBJECT_OU = "tls-subject-ou";
    public static final String SUBJECT_DN = "tls-subject-dn";
    public static final String SAN_DNS = "tls-san-dns";
    public static final String SAN_URI = "tls-san-uri";
    public static final String SAN_EMAIL = "tls-san-email";
    public static final String SERIAL = "tls-serial";
    public static final String ISSUER_CN = "tls-issuer-cn";
    public static final String ISSUER_DN = "tls-issuer-dn";
    public static final String FINGERPRINT = "tls-fingerprint-sha256";
    public static final String NOT_AFTER = "tls-not-after";

    /** Every certificate variable name (not protocol and cipher). */
    public static final List<String> CERTIFICATE_FIELDS = List.of(SUBJECT_CN, SUBJECT_O, SUBJECT_OU, SUBJECT_DN,
            SAN_DNS, SAN_URI, SAN_EMAIL, SERIAL, ISSUER_CN, ISSUER_DN, FINGERPRINT, NOT_AFTER);

    private ClientCertificates() {
    }

    /** Protocol, cipher and (when the client presented one) the certificate's variables. */
    public static Map<String, String> variables(SSLSession session) {
        return variables(session, true);
    }

    /**
     * @param peerCertificates whether the listener asks for client certificates at all (when it does not, the
     *                         lookup is skipped: it would throw for every connection)
     */
    public static Map<String, String> variables(SSLSession session, boolean peerCertificates) {
        Map<String, String> out = new LinkedHashMap<>();
        out.put(PROTOCOL, session.getProtocol());
        out.put(CIPHER, session.getCipherSuite());
        if (!peerCertificates) {
            return Map.copyOf(out);
        }
        try {
            Certificate[] peer = session.getPeerCertificates();
            if (peer.length > 0 && peer[0] instanceof X509Certificate leaf) {
                out.putAll(certificateVariables(leaf));
            }
        } catch (SSLPeerUnverifiedException e) {
            // no client certificate
        }
        return Map.copyOf(out);
    }

    public static Map<String, String> certificateVariables(X509Certificate cert) {
        Map<String, String> out = new LinkedHashMap<>();
        X500Name subject = X500Name.getInstance(cert.getSubjectX500Principal().getEncoded());
        put(out, SUBJECT_CN, rdn(subject, BCStyle.CN));
        put(out, SUBJECT_O, rdn(subject, BCStyle.O));
        put(out, SUBJECT_OU, rdn(subject, BCStyle.OU));
        put(out, SUBJECT_DN, cert.getSubjectX500Principal().getName(X500Principal.RFC2253));
        List<String> dns = new ArrayList<>();
        List<String> uris = new ArrayList<>();
        List<String> emails = new ArrayList<>();
        try {
            Collection<List<?>> sans = cert.getSubjectAlternativeNames();
            if (sans != null) {
                for (List<?> san : sans) {
                    int type = (Integer) san.get(0);
                    Object value = san.get(1);
                    if (!(value instanceof String s)) {
                        continue;
                    }
                    switch (type) {
                        case 1 -> emails.add(s);
                        case 2 -> dns.add(s);
                        case 6 -> uris.add(s);
                        default -> {
                        }
                    }
                }
            }
        } catch (CertificateParsingException e) {
            // an unreadable SAN extension contributes nothing
        }
        put(out, SAN_DNS, String.join(",", dns));
        put(out, SAN_URI, String.join(",", uris));
        put(out, SAN_EMAIL, String.join(",", emails));
        put(out, SERIAL, cert.getSerialNumber().toString(16));
        X500Name issuer = X500Name.getInstance(cert.getIssuerX500Principal().getEncoded());
        put(out, ISSUER_CN, rdn(issuer, BCStyle.CN));
        put(out, ISSUER_DN, cert.getIssuerX500Principal().getName(X500Principal.RFC2253));
        put(out, FINGERPRINT, fingerprint(cert));
        put(out, NOT_AFTER, cert.getNotAfter().toInstant().toString());
        return out;
    }

    /** Lower-case hex SHA-256 of the DER encoding. */
    public static String fingerprint(X509Certificate cert) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(cert.getEncoded()));
        } catch (NoSuchAlgorithmException | CertificateEncodingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String rdn(X500Name name, ASN1ObjectIdentifier type) {
        List<String> values = new ArrayList<>();
        for (RDN rdn : name.getRDNs(type)) {
            values.add(IETFUtils.valueToString(rdn.getFirst().getValue()));
        }
        return String.join(",", values);
    }

    private static void put(Map<String, String> out, String key, String value) {
        if (value != null && !value.isEmpty()) {
            out.put(key, value);
        }
    }
}
