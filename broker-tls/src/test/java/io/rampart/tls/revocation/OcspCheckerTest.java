package io.rampart.tls.revocation;

import com.github.benmanes.caffeine.cache.Caffeine;
import io.rampart.tls.RevocationSettings;
import io.rampart.tls.TlsObserver;
import io.rampart.tls.TlsRejection;
import io.rampart.tls.TestCertificates;
import org.junit.jupiter.api.Test;

import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class OcspCheckerTest {

    private static int closedPort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Test
    void unreachableResponder_isNotAskedAgainForAWhile() throws Exception {
        X509Certificate[] chain = TestCertificates.leafAndIssuer();
        URI url = URI.create("http://127.0.0.1:" + closedPort() + "/ocsp");
        Fetcher fetcher = new Fetcher(HttpClient.newHttpClient(), Duration.ofSeconds(2),
                Caffeine.newBuilder().expireAfterWrite(Fetcher.UNREACHABLE_FOR).<String, String>build());
        OcspChecker ocsp = new OcspChecker(url, false, Caffeine.newBuilder().<String, OcspChecker.Answer>build(), fetcher);

        RevocationStatus first = ocsp.check(chain[0], chain[1]);
        RevocationStatus second = ocsp.check(chain[0], chain[1]);

        assertThat(first.state()).isEqualTo(RevocationStatus.State.UNAVAILABLE);
        assertThat(first.detail()).contains("unreachable").doesNotContain("not asked again");
        assertThat(second.state()).isEqualTo(RevocationStatus.State.UNAVAILABLE);
        assertThat(second.detail()).contains("not asked again");
    }

    @Test
    void hardFail_refusesWithRevocationUnavailable_softFailAllows_andTheObserverCountsBoth() throws Exception {
        X509Certificate[] chain = TestCertificates.leafAndIssuer();
        List<String> seen = new CopyOnWriteArrayList<>();
        TlsObserver observer = new TlsObserver() {
            @Override
            public void revocationCheck(String method, String result, boolean cached) {
                seen.add(method + " " + result);
            }
        };
        URI url = URI.create("http://127.0.0.1:" + closedPort() + "/ocsp");
        RevocationSettings hard = new RevocationSettings(RevocationSettings.Mode.OCSP, List.of(), false, null, url,
                false, Duration.ofSeconds(2), RevocationSettings.FailurePolicy.HARD_FAIL, 100, false);
        RevocationSettings soft = new RevocationSettings(RevocationSettings.Mode.OCSP, List.of(), false, null, url,
                false, Duration.ofSeconds(2), RevocationSettings.FailurePolicy.SOFT_FAIL, 100, false);
        RevocationChecker hardChecker = RevocationChecker.create(hard, new RevocationChecker.Shared(hard), observer);
        RevocationChecker softChecker = RevocationChecker.create(soft, new RevocationChecker.Shared(soft), observer);

        assertThatThrownBy(() -> hardChecker.check(chain, List.of(chain[1])))
                .isInstanceOfSatisfying(TlsRejection.class, r -> assertThat(r.kind()).isEqualTo("revocation-unavailable"));
        softChecker.check(chain, List.of(chain[1]));
        assertThat(seen).containsExactly("ocsp unavailable", "ocsp unavailable");
    }
}
