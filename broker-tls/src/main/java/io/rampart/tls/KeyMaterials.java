package io.rampart.tls;

import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8DecryptorProviderBuilder;
import org.bouncycastle.openssl.jcajce.JcePEMDecryptorProviderBuilder;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.cert.CRL;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;

/** Reads certificates, private keys, key stores and CRLs from files, with messages an operator can act on. */
public final class KeyMaterials {

    /** Bouncy Castle as a private provider instance: never registered globally. */
    static final Provider BC = new BouncyCastleProvider();

    /** A private key with its certificate chain (leaf first). */
    public record Loaded(PrivateKey key, X509Certificate[] chain) {
    }

    private KeyMaterials() {
    }

    /** The key and chain of a listener's (or SNI entry's) key material; problems name their setting ({@code key()}). */
    public static Loaded load(TlsSettings.KeyMaterial material) throws TlsConfigException {
        if (material.keystore() != null) {
            return pkcs12(material.keystore(), material.keystorePassword());
        }
        List<X509Certificate> chain;
        try {
            chain = certificates(material.certificateChain());
        } catch (TlsConfigException e) {
            throw e.key() == null ? new TlsConfigException("certificate", e.getMessage(), e.getCause()) : e;
        }
        if (chain.isEmpty()) {
            throw new TlsConfigException("certificate", material.certificateChain() + ": contains no certificate", null);
        }
        PrivateKey key = privateKey(material.privateKey(), material.privateKeyPassword());
        if (!matches(key, chain.get(0))) {
            throw new TlsConfigException("private-key", material.privateKey()
                    + ": the private key does not belong to the certificate in " + material.certificateChain(), null);
        }
        return new Loaded(key, chain.toArray(X509Certificate[]::new));
    }

    /** Whether the key signs what the certificate's public key verifies (a half-replaced pair does not). */
    static boolean matches(PrivateKey key, X509Certificate cert) {
        String algorithm = switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC", "ECDSA" -> "SHA256withECDSA";
            case "Ed25519" -> "Ed25519";
            case "Ed448" -> "Ed448";
            case "RSASSA-PSS" -> null;
            default -> null;
        };
        if (algorithm == null) {
            return true;
        }
        try {
            byte[] probe = "rampart key check".getBytes(StandardCharsets.US_ASCII);
            java.security.Signature signer = java.security.Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(probe);
            byte[] signature = signer.sign();
            java.security.Signature verifier = java.security.Signature.getInstance(algorithm);
            verifier.initVerify(cert.getPublicKey());
            verifier.update(probe);
            return verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    /** All certificates of a PEM or DER file, in file order. */
    public static List<X509Certificate> certificates(Path file) throws TlsConfigException {
        try (InputStream in = Files.newInputStream(file)) {
            List<X509Certificate> out = new ArrayList<>();
            for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                out.add((X509Certificate) c);
            }
            return out;
        } catch (IOException e) {
            throw new TlsConfigException(file + ": cannot read (" + e.getMessage() + ")", e);
        } catch (GeneralSecurityException e) {
            throw new TlsConfigException(file + ": is not a PEM or DER certificate file (" + e.getMessage() + ")", e);
        }
    }

    /** All CRLs of a PEM or DER file. */
    public static List<X509CRL> crls(Path file) throws TlsConfigException {
        try (InputStream in = Files.newInputStream(file)) {
            List<X509CRL> out = new ArrayList<>();
            for (CRL c : CertificateFactory.getInstance("X.509").generateCRLs(in)) {
                out.add((X509CRL) c);
            }
            if (out.isEmpty()) {
                throw new TlsConfigException(file + ": contains no CRL");
            }
            return out;
        } catch (IOException e) {
            throw new TlsConfigException(file + ": cannot read (" + e.getMessage() + ")", e);
        } catch (GeneralSecurityException e) {
            throw new TlsConfigException(file + ": is not a PEM or DER CRL file (" + e.getMessage() + ")", e);
        }
    }

    /** A PEM private key: PKCS#8 (plain or encrypted) or a traditional OpenSSL key pair (plain or encrypted). */
    public static PrivateKey privateKey(Path file, String password) throws TlsConfigException {
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.US_ASCII); PEMParser parser = new PEMParser(reader)) {
            JcaPEMKeyConverter converter = new JcaPEMKeyConverter().setProvider(BC);
            Object o;
            while ((o = parser.readObject()) != null) {
                PrivateKeyInfo info = null;
                if (o instanceof PrivateKeyInfo p) {
                    info = p;
                } else if (o instanceof PKCS8EncryptedPrivateKeyInfo enc) {
                    requirePassword(file, password);
                    info = enc.decryptPrivateKeyInfo(new JceOpenSSLPKCS8DecryptorProviderBuilder().setProvider(BC)
                            .build(password.toCharArray()));
                } else if (o instanceof PEMKeyPair pair) {
                    info = pair.getPrivateKeyInfo();
                } else if (o instanceof PEMEncryptedKeyPair enc) {
                    requirePassword(file, password);
                    info = enc.decryptKeyPair(new JcePEMDecryptorProviderBuilder().setProvider(BC)
                            .build(password.toCharArray())).getPrivateKeyInfo();
                }
                if (info != null) {
                    return plainJdkKey(converter.getPrivateKey(info));
                }
            }
            throw new TlsConfigException("private-key", file + ": contains no private key (expected PEM \"PRIVATE KEY\","
                    + " \"ENCRYPTED PRIVATE KEY\", \"RSA PRIVATE KEY\" or \"EC PRIVATE KEY\")", null);
        } catch (TlsConfigException e) {
            throw e;
        } catch (IOException e) {
            throw new TlsConfigException("private-key", file + ": cannot read (" + e.getMessage() + ")", e);
        } catch (Exception e) {
            throw new TlsConfigException(password == null ? "private-key" : "private-key-password", file
                    + ": cannot decrypt or decode the private key (wrong password?): " + e.getMessage(), e);
        }
    }

    /** Re-encodes a key through the JDK so that both TLS providers accept it. */
    private static PrivateKey plainJdkKey(PrivateKey key) throws GeneralSecurityException {
        String algorithm = key.getAlgorithm().equals("ECDSA") ? "EC" : key.getAlgorithm();
        return java.security.KeyFactory.getInstance(algorithm)
                .generatePrivate(new java.security.spec.PKCS8EncodedKeySpec(key.getEncoded()));
    }

    private static void requirePassword(Path file, String password) throws TlsConfigException {
        if (password == null) {
            throw new TlsConfigException("private-key-password", file
                    + ": the private key is encrypted; set private-key-password", null);
        }
    }

    /** The first private key entry of a PKCS#12 store with its chain. */
    public static Loaded pkcs12(Path file, String password) throws TlsConfigException {
        KeyStore ks = keyStore(file, password);
        try {
            char[] pw = password == null ? new char[0] : password.toCharArray();
            for (String alias : Collections.list(ks.aliases())) {
                if (ks.isKeyEntry(alias)) {
                    Key key = ks.getKey(alias, pw);
                    Certificate[] chain = ks.getCertificateChain(alias);
                    if (key instanceof PrivateKey pk && chain != null && chain.length > 0) {
                        X509Certificate[] x = new X509Certificate[chain.length];
                        for (int i = 0; i < chain.length; i++) {
                            x[i] = (X509Certificate) chain[i];
                        }
                        if (!matches(pk, x[0])) {
                            throw new TlsConfigException("keystore", file + ": the private key of entry '" + alias
                                    + "' does not belong to its certificate", null);
                        }
                        return new Loaded(pk, x);
                    }
                }
            }
        } catch (GeneralSecurityException e) {
            throw new TlsConfigException("keystore-password", file + ": cannot read the private key ("
                    + e.getMessage() + ")", e);
        }
        throw new TlsConfigException("keystore", file + ": contains no private key entry with a certificate chain", null);
    }

    /** The trusted certificates of a PKCS#12 store. */
    public static List<X509Certificate> pkcs12Certificates(Path file, String password) throws TlsConfigException {
        KeyStore ks = keyStore(file, password);
        List<X509Certificate> out = new ArrayList<>();
        try {
            Enumeration<String> aliases = ks.aliases();
            while (aliases.hasMoreElements()) {
                Certificate c = ks.getCertificate(aliases.nextElement());
                if (c instanceof X509Certificate x) {
                    out.add(x);
                }
            }
        } catch (GeneralSecurityException e) {
            throw new TlsConfigException(file + ": " + e.getMessage(), e);
        }
        if (out.isEmpty()) {
            throw new TlsConfigException(file + ": contains no certificate");
        }
        return out;
    }

    private static KeyStore keyStore(Path file, String password) throws TlsConfigException {
        try (InputStream in = Files.newInputStream(file)) {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(in, password == null ? new char[0] : password.toCharArray());
            return ks;
        } catch (IOException e) {
            if (e.getCause() instanceof java.security.UnrecoverableKeyException) {
                throw new TlsConfigException("keystore-password", file + ": wrong keystore password", e);
            }
            throw new TlsConfigException("keystore", file + ": cannot read the PKCS#12 key store (" + e.getMessage()
                    + ")", e);
        } catch (GeneralSecurityException e) {
            throw new TlsConfigException("keystore", file + ": cannot read the PKCS#12 key store (" + e.getMessage()
                    + ")", e);
        }
    }
}
