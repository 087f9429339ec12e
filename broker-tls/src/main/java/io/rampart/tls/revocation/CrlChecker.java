package io.rampart.tls.revocation;

import com.github.benmanes.caffeine.cache.Cache;
import io.rampart.tls.KeyMaterials;
import io.rampart.tls.TlsConfigException;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.x509.CRLDistPoint;
import org.bouncycastle.asn1.x509.DistributionPoint;
import org.bouncycastle.asn1.x509.DistributionPointName;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;

import java.io.ByteArrayInputStream;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509CRL;
import java.security.cert.X509CRLEntry;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.security.auth.x500.X500Principal;

/**
 * Answers from CRLs: those of the configured files (loaded when the context is built, so a changed file
 * takes effect with the next reload), then those of the certificate's HTTP distribution points, fetched on
 * the calling (delegated handshake) thread and cached until their nextUpdate or the refresh period.
 */
final class CrlChecker {

    static final String METHOD = "crl";

    private final Map<X500Principal, List<X509CRL>> fileCrls;
    private final boolean distributionPoints;
    /** Largest CRL fetched from a distribution point. */
    static final int MAX_CRL_BYTES = 32 * 1024 * 1024;

    private final Cache<String, X509CRL> fetched;
    private final Fetcher http;
    /** CRLs whose signature was checked, with the key that checked it (file CRLs live as long as this checker). */
    private final Map<X509CRL, java.security.PublicKey> verified = new java.util.concurrent.ConcurrentHashMap<>();

    CrlChecker(List<Path> files, boolean distributionPoints, Cache<String, X509CRL> fetched, Fetcher http)
            throws TlsConfigException {
        Map<X500Principal, List<X509CRL>> byIssuer = new HashMap<>();
        for (Path file : files) {
            for (X509CRL crl : KeyMaterials.crls(file)) {
                byIssuer.computeIfAbsent(crl.getIssuerX500Principal(), k -> new ArrayList<>()).add(crl);
            }
        }
        this.fileCrls = byIssuer;
        this.distributionPoints = distributionPoints;
        this.fetched = fetched;
        this.http = http;
    }

    RevocationStatus check(X509Certificate cert, X509Certificate issuer) {
        X509CRL crl = null;
        boolean cached = true;
        String source = null;
        for (X509CRL candidate : fileCrls.getOrDefault(cert.getIssuerX500Principal(), List.of())) {
            if (verifies(candidate, issuer) && (crl == null || candidate.getThisUpdate().after(crl.getThisUpdate()))) {
                crl = candidate;
                source = "CRL file";
            }
        }
        String lastProblem = null;
        if (crl == null && distributionPoints) {
            for (String url : distributionPointUrls(cert)) {
                X509CRL c = fetched.getIfPresent(url);
                if (c == null) {
                    cached = false;
                    try {
                        c = fetch(url);
                    } catch (Fetcher.Unreachable e) {
                        lastProblem = "CRL distribution point " + url + " unreachable: " + e.getMessage();
                        continue;
                    } catch (Exception e) {
                        lastProblem = "CRL from " + url + " cannot be read: " + describe(e);
                        continue;
                    }
                    if (!verifies(c, issuer)) {
                        lastProblem = "CRL from " + url + " is not signed by " + issuer.getSubjectX500Principal().getName();
                        continue;
                    }
                    fetched.put(url, c);
                }
                crl = c;
                source = "CRL from " + url;
                break;
            }
        }
        if (crl == null) {
            return RevocationStatus.unavailable(METHOD, lastProblem != null ? lastProblem
                    : "no CRL for issuer " + cert.getIssuerX500Principal().getName());
        }
        Date next = crl.getNextUpdate();
        if (next != null && next.before(new Date())) {
            return RevocationStatus.unavailable(METHOD, source + " expired at " + next.toInstant());
        }
        X509CRLEntry entry = crl.getRevokedCertificate(cert.getSerialNumber());
        if (entry != null) {
            String reason = entry.getRevocationReason() == null ? "unspecified" : entry.getRevocationReason().name();
            return new RevocationStatus(RevocationStatus.State.REVOKED, METHOD, "revoked (" + source + ", reason "
                    + reason + ", since " + entry.getRevocationDate().toInstant() + ")", cached);
        }
        return new RevocationStatus(RevocationStatus.State.GOOD, METHOD, source, cached);
    }

    private X509CRL fetch(String url) throws Exception {
        return (X509CRL) CertificateFactory.getInstance("X.509")
                .generateCRL(new ByteArrayInputStream(http.get(url, MAX_CRL_BYTES)));
    }

    /** Whether {@code issuer} signed the CRL; a verified pair is remembered (a signature check per handshake is waste). */
    private boolean verifies(X509CRL crl, X509Certificate issuer) {
        if (issuer == null || !crl.getIssuerX500Principal().equals(issuer.getSubjectX500Principal())) {
            return false;
        }
        if (issuer.getPublicKey().equals(verified.get(crl))) {
            return true;
        }
        try {
            crl.verify(issuer.getPublicKey());
            verified.put(crl, issuer.getPublicKey());
            return true;
        } catch (Exception e) {
            return false;
        }
    }

    /** The http(s) URLs of the certificate's CRL distribution points extension. */
    static List<String> distributionPointUrls(X509Certificate cert) {
        byte[] ext = cert.getExtensionValue(Extension.cRLDistributionPoints.getId());
        if (ext == null) {
            return List.of();
        }
        List<String> urls = new ArrayList<>();
        try {
            CRLDistPoint points = CRLDistPoint.getInstance(
                    ASN1Primitive.fromByteArray(ASN1OctetString.getInstance(ext).getOctets()));
            for (DistributionPoint dp : points.getDistributionPoints()) {
                DistributionPointName name = dp.getDistributionPoint();
                if (name == null || name.getType() != DistributionPointName.FULL_NAME) {
                    continue;
                }
                for (GeneralName gn : GeneralNames.getInstance(name.getName()).getNames()) {
                    if (gn.getTagNo() == GeneralName.uniformResourceIdentifier) {
                        String url = gn.getName().toString();
                        if (url.startsWith("http://") || url.startsWith("https://")) {
                            urls.add(url);
                        }
                    }
                }
            }
        } catch (Exception e) {
            return List.of();
        }
        return urls;
    }

    static String describe(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getMessage() == null) {
            t = t.getCause();
        }
        return t.getClass().getSimpleName() + (t.getMessage() == null ? "" : ": " + t.getMessage());
    }
}
