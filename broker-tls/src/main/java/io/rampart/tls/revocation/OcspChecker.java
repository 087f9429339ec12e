package io.rampart.tls.revocation;

import com.github.benmanes.caffeine.cache.Cache;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.ocsp.OCSPObjectIdentifiers;
import org.bouncycastle.asn1.x509.AccessDescription;
import org.bouncycastle.asn1.x509.AuthorityInformationAccess;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateHolder;
import org.bouncycastle.cert.ocsp.BasicOCSPResp;
import org.bouncycastle.cert.ocsp.CertificateID;
import org.bouncycastle.cert.ocsp.CertificateStatus;
import org.bouncycastle.cert.ocsp.OCSPReq;
import org.bouncycastle.cert.ocsp.OCSPReqBuilder;
import org.bouncycastle.cert.ocsp.OCSPResp;
import org.bouncycastle.cert.ocsp.RevokedStatus;
import org.bouncycastle.cert.ocsp.SingleResp;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.operator.jcajce.JcaDigestCalculatorProviderBuilder;

import java.net.URI;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Date;

/**
 * Asks an OCSP responder (configured, or the certificate's AIA) about one certificate: a signed request-free
 * POST with an optional nonce; the response's signature is checked (the issuer itself or a responder
 * certificate the issuer signed for OCSP signing), as are its freshness and nonce. Answers are cached until
 * their nextUpdate (5 minutes when the responder gives none).
 */
final class OcspChecker {

    static final String METHOD = "ocsp";
    private static final Duration DEFAULT_CACHE = Duration.ofMinutes(5);
    private static final Duration SKEW = Duration.ofMinutes(5);
    private static final SecureRandom RANDOM = new SecureRandom();

    /**
     * A cached answer.
     *
     * @param response the responder's DER-encoded OCSP response (for stapling), or {@code null} when unavailable
     */
    record Answer(RevocationStatus.State state, String detail, Instant until, byte[] response) {
    }

    private final URI configuredUrl;
    private final boolean nonce;
    private final Cache<String, Answer> cache;
    /** Largest OCSP response read. */
    static final int MAX_RESPONSE_BYTES = 1024 * 1024;

    private final Fetcher http;

    OcspChecker(URI configuredUrl, boolean nonce, Cache<String, Answer> cache, Fetcher http) {
        this.configuredUrl = configuredUrl;
        this.nonce = nonce;
        this.cache = cache;
        this.http = http;
    }

    RevocationStatus check(X509Certificate cert, X509Certificate issuer) {
        String url = configuredUrl != null ? configuredUrl.toString() : aiaUrl(cert);
        if (url == null) {
            return RevocationStatus.unavailable(METHOD, "no OCSP responder: the certificate has no AIA OCSP URL"
                    + " and none is configured");
        }
        String key = url + "|" + cert.getIssuerX500Principal().getName() + "|" + cert.getSerialNumber();
        Answer cached = cache.getIfPresent(key);
        if (cached != null && cached.until().isAfter(Instant.now())) {
            return new RevocationStatus(cached.state(), METHOD, cached.detail(), true);
        }
        try {
            Answer answer = ask(url, cert, issuer);
            if (answer.state() != RevocationStatus.State.UNAVAILABLE) {
                cache.put(key, answer);
            }
            return new RevocationStatus(answer.state(), METHOD, answer.detail(), false);
        } catch (Fetcher.Unreachable e) {
            return RevocationStatus.unavailable(METHOD, "OCSP responder " + url + " unreachable: " + e.getMessage());
        } catch (Exception e) {
            return RevocationStatus.unavailable(METHOD, "OCSP response from " + url + " cannot be read: "
                    + CrlChecker.describe(e));
        }
    }

    Answer ask(String url, X509Certificate cert, X509Certificate issuer) throws Exception {
        CertificateID id = new CertificateID(new JcaDigestCalculatorProviderBuilder().build().get(CertificateID.HASH_SHA1),
                new JcaX509CertificateHolder(issuer), cert.getSerialNumber());
        OCSPReqBuilder builder = new OCSPReqBuilder().addRequest(id);
        byte[] nonceValue = null;
        if (nonce) {
            nonceValue = new byte[16];
            RANDOM.nextBytes(nonceValue);
            builder.setRequestExtensions(new Extensions(new Extension(OCSPObjectIdentifiers.id_pkix_ocsp_nonce, false,
                    new DEROctetString(nonceValue))));
        }
        OCSPReq req = builder.build();
        byte[] body = http.post(url, "application/ocsp-request", "application/ocsp-response", req.getEncoded(),
                MAX_RESPONSE_BYTES);
        OCSPResp resp = new OCSPResp(body);
        if (resp.getStatus() != OCSPResp.SUCCESSFUL) {
            return unavailable("OCSP responder " + url + " refused the request (status " + resp.getStatus() + ")");
        }
        BasicOCSPResp basic = (BasicOCSPResp) resp.getResponseObject();
        String signatureProblem = verifySignature(basic, issuer);
        if (signatureProblem != null) {
            return unavailable("OCSP response from " + url + " rejected: " + signatureProblem);
        }
        if (nonceValue != null) {
            Extension ext = basic.getExtension(OCSPObjectIdentifiers.id_pkix_ocsp_nonce);
            byte[] got = ext == null ? null : nonceBytes(ext);
            if (got == null || !Arrays.equals(got, nonceValue)) {
                return unavailable("OCSP response from " + url + " rejected: nonce missing or different");
            }
        }
        Instant now = Instant.now();
        for (SingleResp single : basic.getResponses()) {
            if (!single.getCertID().equals(id)) {
                continue;
            }
            if (single.getThisUpdate().toInstant().isAfter(now.plus(SKEW))) {
                return unavailable("OCSP response from " + url + " rejected: thisUpdate in the future");
            }
            Date nextUpdate = single.getNextUpdate();
            if (nextUpdate != null && nextUpdate.toInstant().isBefore(now.minus(SKEW))) {
                return unavailable("OCSP response from " + url + " rejected: expired at " + nextUpdate.toInstant());
            }
            Instant until = nextUpdate != null ? nextUpdate.toInstant() : now.plus(DEFAULT_CACHE);
            CertificateStatus status = single.getCertStatus();
            if (status == CertificateStatus.GOOD) {
                return new Answer(RevocationStatus.State.GOOD, "OCSP " + url, until, body);
            }
            if (status instanceof RevokedStatus revoked) {
                String reason = revoked.hasRevocationReason() ? reasonName(revoked.getRevocationReason()) : "unspecified";
                return new Answer(RevocationStatus.State.REVOKED, "revoked (OCSP " + url + ", reason " + reason
                        + ", since " + revoked.getRevocationTime().toInstant() + ")", until, body);
            }
            return new Answer(RevocationStatus.State.UNKNOWN, "OCSP responder " + url
                    + " does not know the certificate (status unknown)", until, body);
        }
        return unavailable("OCSP response from " + url + " does not cover the certificate");
    }

    private static Answer unavailable(String detail) {
        return new Answer(RevocationStatus.State.UNAVAILABLE, detail, Instant.EPOCH, null);
    }

    private static byte[] nonceBytes(Extension ext) {
        byte[] value = ext.getExtnValue().getOctets();
        try {
            return ASN1OctetString.getInstance(ASN1Primitive.fromByteArray(value)).getOctets();
        } catch (Exception e) {
            return value;
        }
    }

    /** Null when the response is signed by the issuer or by a responder the issuer authorized for OCSP. */
    private static String verifySignature(BasicOCSPResp basic, X509Certificate issuer) throws Exception {
        JcaContentVerifierProviderBuilder verifiers = new JcaContentVerifierProviderBuilder();
        if (basic.isSignatureValid(verifiers.build(issuer.getPublicKey()))) {
            return null;
        }
        X509CertificateHolder issuerHolder = new JcaX509CertificateHolder(issuer);
        for (X509CertificateHolder responder : basic.getCerts()) {
            if (!responder.getIssuer().equals(issuerHolder.getSubject())
                    || !responder.isSignatureValid(verifiers.build(issuer.getPublicKey()))) {
                continue;
            }
            if (!responder.isValidOn(new Date())) {
                return "the responder certificate is not valid now";
            }
            org.bouncycastle.asn1.x509.ExtendedKeyUsage eku =
                    org.bouncycastle.asn1.x509.ExtendedKeyUsage.fromExtensions(responder.getExtensions());
            if (eku == null || !eku.hasKeyPurposeId(KeyPurposeId.id_kp_OCSPSigning)) {
                return "the responder certificate is not authorized for OCSP signing";
            }
            if (basic.isSignatureValid(verifiers.build(responder))) {
                return null;
            }
        }
        return "not signed by the issuer or a responder it authorized";
    }

    private static String reasonName(int reason) {
        return switch (reason) {
            case 0 -> "unspecified";
            case 1 -> "keyCompromise";
            case 2 -> "cACompromise";
            case 3 -> "affiliationChanged";
            case 4 -> "superseded";
            case 5 -> "cessationOfOperation";
            case 6 -> "certificateHold";
            case 8 -> "removeFromCRL";
            case 9 -> "privilegeWithdrawn";
            case 10 -> "aACompromise";
            default -> Integer.toString(reason);
        };
    }

    /** The first http OCSP URL of the certificate's Authority Information Access extension. */
    static String aiaUrl(X509Certificate cert) {
        byte[] ext = cert.getExtensionValue(Extension.authorityInfoAccess.getId());
        if (ext == null) {
            return null;
        }
        try {
            AuthorityInformationAccess aia = AuthorityInformationAccess.getInstance(
                    ASN1Primitive.fromByteArray(ASN1OctetString.getInstance(ext).getOctets()));
            for (AccessDescription ad : aia.getAccessDescriptions()) {
                if (ad.getAccessMethod().equals(AccessDescription.id_ad_ocsp)
                        && ad.getAccessLocation().getTagNo() == GeneralName.uniformResourceIdentifier) {
                    String url = ad.getAccessLocation().getName().toString();
                    if (url.startsWith("http://") || url.startsWith("https://")) {
                        return url;
                    }
                }
            }
        } catch (Exception e) {
            return null;
        }
        return null;
    }
}
