package io.rampart.security.realm.jwt;

import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import java.io.IOException;
import java.io.OutputStream;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An identity provider's key endpoints for tests, over HTTPS with a certificate made here: {@code /jwks.json}
 * (the keys set with {@link #publish}, counted per request) and {@code /.well-known/openid-configuration}.
 * {@link #down(boolean)} makes every answer HTTP 503.
 */
final class JwksTestServer implements AutoCloseable {

    private final HttpsServer server;
    private final Path trustPem;
    private final Path trustP12;
    static final String TRUST_PASSWORD = "changeit";
    private final AtomicInteger jwksRequests = new AtomicInteger();
    private volatile String jwks = "{\"keys\":[]}";
    private volatile boolean down;
    private final AtomicInteger introspections = new AtomicInteger();
    private final java.util.Map<String, String> activeTokens = new java.util.concurrent.ConcurrentHashMap<>();
    static final String CLIENT_ID = "rampart";
    static final String CLIENT_SECRET = "broker-secret";

    JwksTestServer(Path dir) throws Exception {
        KeyPairGenerator gen = KeyPairGenerator.getInstance("EC");
        gen.initialize(256);
        KeyPair pair = gen.generateKeyPair();
        X500Name name = new X500Name("CN=localhost");
        Instant now = Instant.now();
        var builder = new JcaX509v3CertificateBuilder(name, BigInteger.valueOf(now.toEpochMilli()),
                Date.from(now.minusSeconds(60)), Date.from(now.plusSeconds(3600)), name, pair.getPublic());
        builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[]{
                new GeneralName(GeneralName.dNSName, "localhost"), new GeneralName(GeneralName.iPAddress, "127.0.0.1")}));
        X509Certificate cert = new JcaX509CertificateConverter().getCertificate(
                builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(pair.getPrivate())));
        trustPem = dir.resolve("idp-ca.pem");
        Files.writeString(trustPem, "-----BEGIN CERTIFICATE-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(cert.getEncoded())
                + "\n-----END CERTIFICATE-----\n");
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("idp-ca", cert);
        trustP12 = dir.resolve("idp-trust.p12");
        try (OutputStream out = Files.newOutputStream(trustP12)) {
            trust.store(out, TRUST_PASSWORD.toCharArray());
        }
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setKeyEntry("idp", pair.getPrivate(), new char[0], new X509Certificate[]{cert});
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, new char[0]);
        SSLContext ssl = SSLContext.getInstance("TLS");
        ssl.init(kmf.getKeyManagers(), null, null);
        server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        server.setHttpsConfigurator(new HttpsConfigurator(ssl));
        server.createContext("/jwks.json", ex -> {
            jwksRequests.incrementAndGet();
            answer(ex, jwks);
        });
        server.createContext("/.well-known/openid-configuration", ex -> answer(ex,
                "{\"issuer\":\"" + issuer() + "\",\"jwks_uri\":\"" + jwksUrl() + "\"}"));
        server.createContext("/introspect", ex -> {
            introspections.incrementAndGet();
            String expected = "Basic " + Base64.getEncoder().encodeToString(
                    (CLIENT_ID + ":" + CLIENT_SECRET).getBytes(StandardCharsets.UTF_8));
            if (!"POST".equals(ex.getRequestMethod()) || !expected.equals(ex.getRequestHeaders().getFirst("Authorization"))) {
                ex.sendResponseHeaders(401, -1);
                ex.close();
                return;
            }
            String form = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            String token = null;
            for (String field : form.split("&")) {
                if (field.startsWith("token=")) {
                    token = java.net.URLDecoder.decode(field.substring(6), StandardCharsets.UTF_8);
                }
            }
            answer(ex, token == null ? "{\"active\":false}" : activeTokens.getOrDefault(token, "{\"active\":false}"));
        });
        server.start();
    }

    private void answer(HttpExchange ex, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().add("Content-Type", "application/json");
        if (down) {
            ex.sendResponseHeaders(503, -1);
            ex.close();
            return;
        }
        ex.sendResponseHeaders(200, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }

    /** Serves these keys (their public parts) from now on. */
    void publish(List<JWK> keys) {
        jwks = new JWKSet(keys).toPublicJWKSet().toString();
    }

    /** Makes introspection answer {@code response} (a JSON object) for {@code token}. */
    void activeToken(String token, String response) {
        activeTokens.put(token, response);
    }

    int introspections() {
        return introspections.get();
    }

    String introspectionUrl() {
        return issuer() + "/introspect";
    }

    void down(boolean isDown) {
        this.down = isDown;
    }

    int jwksRequests() {
        return jwksRequests.get();
    }

    String issuer() {
        return "https://localhost:" + server.getAddress().getPort();
    }

    String jwksUrl() {
        return issuer() + "/jwks.json";
    }

    Path trustPem() {
        return trustPem;
    }

    Path trustP12() {
        return trustP12;
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
