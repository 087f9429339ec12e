package io.rampart.server.it;

import io.rampart.server.it.support.SecAccessLog;
import io.rampart.server.it.support.SecSetup;
import io.rampart.server.it.support.TestBroker;
import io.rampart.server.it.support.TlsPki;
import io.rampart.server.it.support.TlsTools;
import io.rampart.server.it.support.TlsTools.Resumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * TLS session resumption with a real client that keeps its session (Python {@code ssl}), on both providers and
 * with TLS 1.2 and 1.3: a good certificate resumes; a resumed session whose certificate was revoked since its
 * full handshake (CRL file, CRL distribution point, OCSP responder), has expired, or whose CA is no longer
 * trusted after a reload gets no CONNACK and an access-log line with the reason; {@code session-tickets: false}
 * makes every handshake a full one; {@code session-lifetime} is the lifetime the client is told.
 */
class TlsResumptionIT {

    private static final List<String> PROVIDERS = List.of("openssl", "jdk");
    private static final List<String> VERSIONS = List.of("1.2", "1.3");

    @TempDir
    static Path dir;
    private static TestBroker broker;
    private static TlsPki pki;
    private static Path crlFile;
    private static final List<TlsPki.Issued> revokedByFile = new CopyOnWriteArrayList<>();
    private static TlsTools.CrlServer crlServer;
    private static final List<TlsPki.Issued> revokedAtCdp = new CopyOnWriteArrayList<>();
    private static TlsTools.OcspResponder ocsp;
    private static String ocspUrl;
    private static Path ocspIndex;
    private static int ocspPort;
    /** One certificate per OCSP listener and version: openssl ocsp reads its index only when it starts. */
    private static final java.util.Map<String, TlsPki.Issued> ocspDevices = new java.util.concurrent.ConcurrentHashMap<>();

    @BeforeAll
    static void start() throws Exception {
        pki = TlsPki.create(dir.resolve("pki"), "resume");
        TlsPki.Issued server = pki.server("resume.test");
        crlFile = dir.resolve("crl.pem");
        pki.writeCrl(crlFile, pki.crl(Duration.ofDays(1)));
        crlServer = new TlsTools.CrlServer();
        crlServer.serve(pki.crl(Duration.ofDays(1)));
        ocspPort = TlsTools.freePort();
        ocspUrl = "http://127.0.0.1:" + ocspPort;
        ocspIndex = dir.resolve("ocsp-index.txt");
        for (String provider : PROVIDERS) {
            for (String version : VERSIONS) {
                String name = "ocsp-" + provider + "-" + version.replace('.', '-');
                ocspDevices.put(name, pki.client(device(cn(name)).ocsp(ocspUrl)));
            }
        }
        pki.writeOcspIndex(ocspIndex);
        // Answers fresh for one minute: the broker caches a "good" that long, as it would any responder's.
        ocsp = new TlsTools.OcspResponder(pki, ocspIndex, ocspPort, 1);

        Path users = dir.resolve("users.yaml");
        SecSetup.writeUsers(users, """
                roles:
                  - name: device
                    permissions:
                      - topic: "devices/${tls-subject-cn}/#"
                """);
        StringBuilder listeners = new StringBuilder();
        for (String provider : PROVIDERS) {
            Path trust = dir.resolve("trust-" + provider + ".pem");
            Files.copy(pki.caPem(), trust);
            String base = "provider: %s, certificate: \"%s\", private-key: \"%s\", client-authentication: required"
                    .formatted(provider, server.certPem(), server.keyPem());
            String ca = "trust: {certificates: \"%s\"}".formatted(pki.caPem());
            listeners.append(listener("file-" + provider, base + ", " + ca + ", reload-interval: 1,"
                    + " revocation: {mode: crl, crl-files: [\"" + crlFile + "\"]}"));
            listeners.append(listener("cdp-" + provider, base + ", " + ca + ", revocation: {mode: crl,"
                    + " crl-distribution-points: true, crl-refresh: 1}"));
            listeners.append(listener("ocsp-" + provider, base + ", " + ca + ", revocation: {mode: ocsp,"
                    + " on-unavailable: hard-fail, timeout: 3}"));
            listeners.append(listener("trust-" + provider, base + ", trust: {certificates: \"" + trust
                    + "\"}, reload-interval: 1"));
            if (provider.equals("openssl")) {
                listeners.append(listener("notickets-" + provider, base + ", " + ca + ", session-tickets: false"));
            }
            listeners.append(listener("lifetime-" + provider, base + ", " + ca + ", session-lifetime: 123"));
        }
        broker = TestBroker.startYaml("""
                data-dir: "%s"
                listeners:
                %s
                security:
                  realms:
                    - {name: local, type: file, path: "%s"}
                  pipelines:
                    - name: devices
                      listeners: ["*"]
                      authentication:
                        - {type: x509, identity: tls-subject-cn, ou-roles: {devices: device}}
                      authorization:
                        - {type: realm, realm: local}
                  brute-force: {enabled: false}
                """.formatted(dir.resolve("data"), listeners.toString().indent(2).stripTrailing(), users));
    }

    private static String listener(String name, String tls) {
        return "- {type: tls, name: " + name + ", bind: 127.0.0.1, port: 0, tls: {" + tls + "}}\n";
    }

    @AfterAll
    static void stop() {
        if (broker != null) {
            broker.close();
        }
        if (ocsp != null) {
            ocsp.close();
        }
        if (crlServer != null) {
            crlServer.close();
        }
    }

    /** One client per provider and version, each with its own certificate, connected once (full handshake). */
    private record Device(String listener, String version, TlsPki.Issued cert, Resumer client) {
    }

    private List<Device> connectAll(String listenerPrefix, java.util.function.Function<String, TlsPki.Issued> certs)
            throws Exception {
        return connectAll(listenerPrefix, PROVIDERS, certs);
    }

    private List<Device> connectAll(String listenerPrefix, List<String> providers,
                                    java.util.function.Function<String, TlsPki.Issued> certs) throws Exception {
        List<Device> devices = new ArrayList<>();
        for (String provider : providers) {
            for (String version : VERSIONS) {
                String listener = listenerPrefix + provider;
                TlsPki.Issued cert = certs.apply(listener + "-" + version.replace('.', '-'));
                Resumer client = new Resumer(broker.port(listener), pki.caPem(), cert, version,
                        io.rampart.tls.ClientCertificates.certificateVariables(cert.cert()).get("tls-subject-cn"));
                cleanup.add(client);
                Resumer.Attempt first = client.connect();
                assertThat(first.accepted()).as(listener + " TLS " + version + ": " + first).isTrue();
                devices.add(new Device(listener, version, cert, client));
            }
        }
        return devices;
    }

    private final List<AutoCloseable> cleanup = new ArrayList<>();

    @org.junit.jupiter.api.AfterEach
    void closeClients() throws Exception {
        for (AutoCloseable c : cleanup) {
            c.close();
        }
    }

    private static String cn(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 6);
    }

    /** A device certificate (OU devices: role device) with the given CN. */
    private static TlsPki.ClientSpec device(String cn) {
        return TlsPki.ClientSpec.of(cn).ou("devices");
    }

    /** The resumed session is refused before CONNACK and logged with the kind and the certificate's serial. */
    private static void assertRefusedOnResumption(Device d, String kind) throws Exception {
        assertRefused(d, kind, true);
    }

    /**
     * After a reload of the listener's files (CRL file, trust): the JDK provider's new context has a new session
     * cache and ticket key, so its clients make a full handshake (refused in the handshake); OpenSSL keeps the
     * listener's ticket keys across reloads, so its clients resume and the resumed session is refused.
     */
    private static void assertRefusedAfterReload(Device d, String kind) throws Exception {
        assertRefused(d, kind, d.listener().endsWith("-openssl"));
    }

    private static void assertRefused(Device d, String kind, boolean resumes) throws Exception {
        Resumer.Attempt again = d.client().connect();
        if (resumes) {
            assertThat(again.reused()).as(d + ": the client resumed " + again).isTrue();
        }
        assertThat(again.connack()).as(d + ": no CONNACK " + again).isNull();
        List<String> lines = SecAccessLog.await("serial=\"" + d.cert().serial().toString(16) + "\"", 1);
        assertThat(lines.get(lines.size() - 1)).as(d.toString())
                .contains("action=TLS result=DENIED kind=" + kind + " listener=" + d.listener());
    }

    @Test
    void goodCertificate_resumes_onBothProvidersAndVersions() throws Exception {
        for (Device d : connectAll("file-", name -> pki.client(device(cn(name))))) {
            Resumer.Attempt again = d.client().connect();
            assertThat(again.reused()).as(d + " " + again).isTrue();
            assertThat(again.accepted()).as(d + " " + again).isTrue();
            assertThat(again.protocol()).isEqualTo("TLSv" + d.version());
        }
    }

    @Test
    void revokedByCrlFile_afterTheFullHandshake_resumptionIsRefused() throws Exception {
        List<Device> devices = connectAll("file-", name -> pki.client(device(cn(name))));
        devices.forEach(d -> revokedByFile.add(d.cert()));
        pki.writeCrl(crlFile, pki.crl(Duration.ofDays(1), revokedByFile.toArray(TlsPki.Issued[]::new)));
        TlsPki.Issued probe = pki.client(cn("probe"));
        revokedByFile.add(probe);
        pki.writeCrl(crlFile, pki.crl(Duration.ofDays(1), revokedByFile.toArray(TlsPki.Issued[]::new)));
        // The listeners read the changed CRL file within their reload interval (1 s).
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200)).until(() -> PROVIDERS.stream()
                .allMatch(p -> !TlsTools.handshakes(broker.port("file-" + p), pki.clientContext(probe))));
        for (Device d : devices) {
            assertRefusedAfterReload(d, "revoked");
        }
    }

    @Test
    void revokedAtTheCrlDistributionPoint_afterTheFullHandshake_resumptionIsRefused() throws Exception {
        List<Device> devices = connectAll("cdp-", name -> pki.client(device(cn(name)).crl(crlServer.url())));
        devices.forEach(d -> revokedAtCdp.add(d.cert()));
        crlServer.serve(pki.crl(Duration.ofDays(1), revokedAtCdp.toArray(TlsPki.Issued[]::new)));
        int before = crlServer.requests();
        // crl-refresh: 1 — a check a second after the last fetch fetches the new CRL.
        for (Device d : devices) {
            await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(500)).untilAsserted(() ->
                    assertRefusedOnResumption(d, "revoked"));
        }
        assertThat(crlServer.requests()).isGreaterThan(before);
    }

    @Test
    void revokedAtTheOcspResponder_afterTheFullHandshake_resumptionIsRefused() throws Exception {
        List<Device> devices = connectAll("ocsp-", ocspDevices::get);
        ocsp.close();
        pki.writeOcspIndex(ocspIndex, devices.stream().map(Device::cert).toArray(TlsPki.Issued[]::new));
        ocsp = new TlsTools.OcspResponder(pki, ocspIndex, ocspPort, 1);
        // Each resumption is checked again; the "good" of the full handshake is cached until its nextUpdate
        // (one minute), after which the responder's "revoked" refuses the resumed session.
        for (Device d : devices) {
            await().atMost(Duration.ofSeconds(150)).pollInterval(Duration.ofSeconds(2)).untilAsserted(() ->
                    assertRefusedOnResumption(d, "revoked"));
        }
        assertThat(SecAccessLog.lines("serial=\"" + devices.get(0).cert().serial().toString(16) + "\"").get(0))
                .contains("OCSP " + ocspUrl);
    }

    @Test
    void expiredSinceTheFullHandshake_resumptionIsRefused() throws Exception {
        Instant notAfter = Instant.now().plusSeconds(8);
        List<Device> devices = connectAll("file-", name -> pki.client(device(cn(name))
                .valid(Instant.now().minus(Duration.ofMinutes(1)), notAfter)));
        await().atMost(Duration.ofSeconds(30)).until(() -> Instant.now().isAfter(notAfter.plusSeconds(1)));
        for (Device d : devices) {
            assertRefusedOnResumption(d, "expired");
        }
        assertThat(SecAccessLog.lines("serial=\"" + devices.get(0).cert().serial().toString(16) + "\"").get(0))
                .contains("certificate expired: valid from");
    }

    @Test
    void caNoLongerTrustedAfterAReload_resumptionIsRefused() throws Exception {
        List<Device> devices = connectAll("trust-", name -> pki.client(device(cn(name))));
        TlsPki other = TlsPki.create(dir.resolve("pki-other"), "other");
        for (String provider : PROVIDERS) {
            TlsPki.write(dir.resolve("trust-" + provider + ".pem"), Files.readString(other.caPem()));
        }
        TlsPki.Issued probe = pki.client(cn("probe"));
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200)).until(() -> PROVIDERS.stream()
                .allMatch(p -> !TlsTools.handshakes(broker.port("trust-" + p), pki.clientContext(probe))));
        for (Device d : devices) {
            assertRefusedAfterReload(d, "unknown-issuer");
        }
    }

    @Test
    void sessionTicketsOff_everyHandshakeIsAFullOne() throws Exception {
        for (Device d : connectAll("notickets-", List.of("openssl"), name -> pki.client(device(cn(name))))) {
            Resumer.Attempt again = d.client().connect();
            assertThat(again.accepted()).as(d + " " + again).isTrue();
            assertThat(again.reused()).as(d + " " + again).isFalse();
        }
    }

    @Test
    void sessionLifetime_isTheLifetimeTheClientIsGiven() throws Exception {
        for (Device d : connectAll("lifetime-", name -> pki.client(device(cn(name))))) {
            Resumer.Attempt again = d.client().connect();
            assertThat(again.reused()).as(d + " " + again).isTrue();
            if (d.version().equals("1.3")) {
                // BoringSSL counts the lifetime from the full handshake: a second or two may have passed.
                assertThat(again.lifetime()).as(d + " " + again).isBetween(120L, 123L);
            }
        }
        // Without session-lifetime, listeners that check revocation give 5 minutes.
        for (Device d : connectAll("file-", name -> pki.client(device(cn(name))))) {
            Resumer.Attempt again = d.client().connect();
            if (d.version().equals("1.3")) {
                assertThat(again.lifetime()).as(d + " " + again).isBetween(297L, 300L);
            }
        }
    }
}
