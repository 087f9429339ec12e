package io.rampart.tls.revocation;

import com.sun.net.httpserver.HttpServer;
import io.rampart.tls.TestCertificates;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.security.cert.X509Certificate;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** Why a responder or distribution point gave no answer, in the words the access log and the warnings use. */
class FetcherTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(1);

    private static Fetcher fetcher() {
        return new Fetcher(HttpClient.newBuilder().connectTimeout(TIMEOUT).build(), TIMEOUT, null);
    }

    private static int closedPort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Test
    void ocspResponderThatRefusesTheConnection_isReportedAsConnectionRefused_withItsUrl() throws Exception {
        X509Certificate[] chain = TestCertificates.leafAndIssuer();
        URI url = URI.create("http://127.0.0.1:" + closedPort() + "/ocsp");
        OcspChecker ocsp = new OcspChecker(url, false,
                com.github.benmanes.caffeine.cache.Caffeine.newBuilder().<String, OcspChecker.Answer>build(), fetcher());

        RevocationStatus status = ocsp.check(chain[0], chain[1]);

        assertThat(status.detail()).isEqualTo("OCSP responder " + url + " unreachable: connection refused");
    }

    @Test
    void serverThatNeverAnswers_isReportedAsNoAnswerWithinTheTimeout() throws Exception {
        try (ServerSocket silent = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            String url = "http://127.0.0.1:" + silent.getLocalPort() + "/ca.crl";
            assertThat(failure(() -> fetcher().get(url, 1000))).isEqualTo("no answer within 1 s");
        }
    }

    @Test
    void httpErrorStatus_isReportedWithTheStatus() throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/ca.crl", exchange -> {
            exchange.sendResponseHeaders(503, -1);
            exchange.close();
        });
        server.start();
        try {
            String url = "http://127.0.0.1:" + server.getAddress().getPort() + "/ca.crl";
            assertThat(failure(() -> fetcher().get(url, 1000))).isEqualTo("HTTP status 503");
        } finally {
            server.stop(0);
        }
    }

    private interface Call {
        void run() throws Exception;
    }

    private static String failure(Call call) {
        try {
            call.run();
        } catch (Fetcher.Unreachable e) {
            return e.getMessage();
        } catch (Exception e) {
            return "unexpected " + e;
        }
        return "no failure";
    }
}
