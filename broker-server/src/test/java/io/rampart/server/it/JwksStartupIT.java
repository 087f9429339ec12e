package io.rampart.server.it;

import com.nimbusds.jose.JWSAlgorithm;
import io.rampart.server.it.support.AdminHttp;
import io.rampart.server.it.support.Clients;
import io.rampart.server.it.support.JwksEndpoint;
import io.rampart.server.it.support.JwtTokens;
import io.rampart.server.it.support.RawTransport;
import io.rampart.server.it.support.SecLogCapture;
import io.rampart.server.it.support.SecSetup;
import io.rampart.server.it.support.TestBroker;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

import static io.rampart.server.it.support.Connects.connect5;
import static io.rampart.server.it.support.JwtTokens.claims;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A JWT realm whose JWKS endpoint fails when the broker starts: the broker retries by itself with backoff,
 * so readiness turns 200 as soon as the endpoint answers, without a token having to arrive first. Also checks
 * that the fetches ran on the realm's named threads and that no thread the running broker created is an
 * anonymous {@code Thread-N} or {@code pool-N-thread-M}.
 */
class JwksStartupIT {

    private static final int FAILURES = 3;
    private static final Pattern ANONYMOUS_THREAD = Pattern.compile("Thread-\\d+|pool-\\d+-thread-\\d+");

    @TempDir
    static Path dir;
    private static JwksEndpoint idp;
    private static Set<Thread> threadsBefore;
    private static SecLogCapture jwtLog;
    private static TestBroker broker;
    private static AdminHttp admin;
    @RegisterExtension
    final Clients clients = new Clients(broker);

    @BeforeAll
    static void startBroker() {
        idp = JwksEndpoint.start(dir, FAILURES);
        Path roles = dir.resolve("roles.yaml");
        SecSetup.writeUsers(roles, """
                roles:
                  - name: sensors
                    permissions:
                      - {topic: "sensors/${jwt-sub}/#", activity: publish}
                """);
        jwtLog = new SecLogCapture("io.rampart.security.realm.jwt");
        threadsBefore = Thread.getAllStackTraces().keySet();
        broker = TestBroker.startYaml("""
                data-dir: target/test-data
                listeners:
                  - {type: tcp, name: tcp, bind: 127.0.0.1, port: 0}
                  - {type: admin, name: admin, bind: 127.0.0.1, port: 0}
                metrics:
                  influx: {uri: "http://127.0.0.1:9", org: test, bucket: rampart, token: test-token, step: 3600}
                security:
                  realms:
                    - {name: roles, type: file, path: "%s"}
                    - name: idp
                      type: jwt
                      issuer: "%s"
                      audience: %s
                      roles-claim: realm_access.roles
                      jwks: {url: "%s", trust: "%s", refresh: 15m}
                    - {name: local, type: sql}
                  pipelines:
                    - name: tokens
                      listeners: ["*"]
                      authentication:
                        - {type: jwt, realm: idp}
                        - {type: password, realm: local}
                      authorization:
                        - {type: realm, realm: roles}
                  brute-force: {enabled: false}
                """.formatted(roles, JwtTokens.ISSUER, JwtTokens.AUDIENCE, idp.url(), idp.caPem()));
        admin = new AdminHttp(broker.port("admin"));
    }

    @AfterAll
    static void stopBroker() {
        broker.close();
        idp.close();
        jwtLog.close();
    }

    private static void awaitReady() {
        Awaitility.await("readiness 200").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                .until(() -> admin.get("/health/ready").status() == 200);
    }

    @Test
    void readiness_afterJwksFailedAtStartup_turnsReadyByItself_andTokensAreAccepted() {
        awaitReady();
        assertThat(idp.requests()).isGreaterThan(FAILURES);
        String token = JwtTokens.sign(JWSAlgorithm.RS256, claims("sensor-7", Duration.ofMinutes(5), "sensors").build());
        assertThat(connect5(clients.hive5(RawTransport.TCP, "jwks-startup-1"), "sensor-7", token)).isZero();
    }

    @Test
    void threads_ofRunningBrokerAfterKeyFetch_allHaveNames() {
        awaitReady();
        List<String> anonymous = Thread.getAllStackTraces().keySet().stream()
                .filter(t -> !threadsBefore.contains(t))
                .map(Thread::getName)
                .filter(name -> ANONYMOUS_THREAD.matcher(name).matches())
                .sorted()
                .toList();
        assertThat(anonymous).isEmpty();
        List<String> fetchLines = jwtLog.messagesWithThreads().stream()
                .filter(line -> line.contains("JWK set") || line.contains("key(s) from")).toList();
        assertThat(fetchLines).hasSizeGreaterThan(FAILURES)
                .allSatisfy(line -> assertThat(line).startsWith("rampart-jwt-idp-"));
    }
}
