package io.rampart.server.it;

import com.fasterxml.jackson.databind.JsonNode;
import io.rampart.server.it.support.AdminClient;
import io.rampart.server.it.support.AdminSetup;
import io.rampart.server.it.support.Clients;
import io.rampart.server.it.support.EventStreamClient;
import io.rampart.server.it.support.RawTransport;
import io.rampart.server.it.support.TestBroker;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The admin API's live streams (Server-Sent Events) and the session support of the Control Center, with real MQTT
 * clients: the metrics sample, the access-log tail in the caller's scope, client changes, streams that end with
 * their session, the session's expiry on every answer, background calls that do not keep a session alive.
 */
class AdminLiveIT {

    @TempDir
    static Path dir;

    private static TestBroker broker;
    private static Clients clients;
    private static int port;

    @BeforeAll
    static void start() {
        broker = AdminSetup.in(dir).start();
        clients = new Clients(broker);
        port = broker.port(AdminSetup.ADMIN_LISTENER);
    }

    @AfterAll
    static void stop() {
        clients.close();
        broker.close();
    }

    private static Map<String, String> basic(String user) {
        return Map.of("Authorization", "Basic " + Base64.getEncoder()
                .encodeToString((user + ":" + AdminSetup.PASSWORD).getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void everyStream_refusesCallersWithoutCredentialsOrPermission() {
        for (String[] op : new String[][]{{"/api/v1/events/metrics", "metrics:read"},
                {"/api/v1/events/access-log", "clients:read"}, {"/api/v1/events/clients", "clients:read"}}) {
            AdminClient.Answer none = AdminClient.http(port).get(op[0]);
            assertThat(none.status()).as(op[0]).isEqualTo(401);
            assertThat(none.allHeaders("WWW-Authenticate")).anyMatch(h -> h.startsWith("Basic realm="));
            AdminClient.Answer denied = AdminClient.http(port).as("nobody").get(op[0]);
            assertThat(denied.status()).as(op[0]).isEqualTo(403);
            assertThat(denied.detail()).isEqualTo("missing permission " + op[1]);
            try (EventStreamClient allowed = EventStreamClient.open(port, op[0], basic("vera"))) {
                assertThat(allowed.status()).as(op[0]).isEqualTo(200);
            }
        }
    }

    @Test
    void metricsStream_sendsASampleAtOnceAndThenEverySecond_andNeedsMetricsRead() {
        clients.connectedHive5(RawTransport.TCP, "live/metrics");
        try (EventStreamClient s = EventStreamClient.open(port, "/api/v1/events/metrics", basic("vera"))) {
            assertThat(s.status()).isEqualTo(200);
            assertThat(s.header("content-type")).startsWith("text/event-stream");
            assertThat(s.header("cache-control")).isEqualTo("no-store");
            assertThat(s.header("content-security-policy")).contains("default-src 'none'");
            JsonNode first = s.next("metrics").data();
            assertThat(first.path("connections").asInt()).isGreaterThanOrEqualTo(1);
            assertThat(first.path("connectsAccepted").asLong()).isGreaterThanOrEqualTo(1);
            assertThat(first.has("authenticationFailures")).isTrue();
            assertThat(first.has("authorizationDenials")).isTrue();
            assertThat(first.has("tlsHandshakeFailures")).isTrue();
            assertThat(first.path("health").path("status").asText()).isEqualTo("UP");
            assertThat(first.path("version").asText()).isNotEmpty();
            assertThat(first.path("listeners")).anySatisfy(l -> {
                assertThat(l.path("name").asText()).isEqualTo("tcp");
                assertThat(l.path("up").asBoolean()).isTrue();
                assertThat(l.path("port").asInt()).isEqualTo(broker.tcpPort());
            });
            Instant t0 = Instant.parse(first.path("time").asText());
            JsonNode second = s.next("metrics").data();
            assertThat(Instant.parse(second.path("time").asText())).isAfter(t0);
        }
        try (EventStreamClient s = EventStreamClient.open(port, "/api/v1/events/metrics", basic("nobody"))) {
            assertThat(s.status()).isEqualTo(403);
        }
    }

    @Test
    void accessLogStream_showsOnlyTheCallersScope_andAddressesOnlyWithDataAddress() {
        try (EventStreamClient alice = EventStreamClient.open(port, "/api/v1/events/access-log?action=CONNECT",
                basic("alice"));
             EventStreamClient vera = EventStreamClient.open(port, "/api/v1/events/access-log?client=scope/",
                     basic("vera"))) {
            assertThat(alice.status()).isEqualTo(200);
            clients.connectedHive5(RawTransport.TCP, "scope/b-1");
            clients.connectedHive5(RawTransport.TCP, "site-a/a-1");
            EventStreamClient.Event mine = alice.next("access", d -> d.path("client").asText().startsWith("site-a/"));
            assertThat(mine.data().path("result").asText()).isEqualTo("ALLOWED");
            assertThat(mine.data().path("address").asText()).isEqualTo("127.0.0.1");
            EventStreamClient.Event seen = vera.next("access", d -> d.path("client").asText().equals("scope/b-1"));
            assertThat(seen.data().path("address").isNull()).as("no data:address").isTrue();
            assertThat(seen.data().path("port").isNull()).isTrue();
            clients.connectedHive5(RawTransport.TCP, "site-a/a-2");
            alice.next("access", d -> {
                assertThat(d.path("client").asText()).as("outside alice's scope").doesNotStartWith("scope/");
                return d.path("client").asText().equals("site-a/a-2");
            });
        }
        try (EventStreamClient s = EventStreamClient.open(port, "/api/v1/events/access-log?address=127.0.0.1",
                basic("vera"))) {
            assertThat(s.status()).as("filtering by address needs data:address").isEqualTo(403);
        }
        try (EventStreamClient s = EventStreamClient.open(port, "/api/v1/events/access-log?result=MAYBE", basic("root"))) {
            assertThat(s.status()).isEqualTo(400);
        }
    }

    @Test
    void clientsStream_reportsClientsThatConnectAndLeave() throws Exception {
        try (EventStreamClient s = EventStreamClient.open(port, "/api/v1/events/clients", basic("otto"))) {
            var c = clients.connectedHive5(RawTransport.TCP, "live/changes");
            s.next("clients", d -> d.path("clientIds").toString().contains("live/changes")
                    && d.path("connected").asInt() >= 1);
            c.disconnect().get();
            s.next("clients", d -> d.path("clientIds").toString().contains("live/changes")
                    && d.path("disconnected").asInt() >= 1);
        }
    }

    @Test
    void aStream_endsWhenItsSessionEnds() {
        AdminClient.Answer login = AdminClient.http(port).post("/api/v1/session",
                "{\"username\":\"vera\",\"password\":\"" + AdminSetup.PASSWORD + "\"}");
        String cookie = login.header("Set-Cookie").split(";", 2)[0];
        String csrf = login.json().path("csrfToken").asText();
        try (EventStreamClient s = EventStreamClient.open(port, "/api/v1/events/metrics", Map.of("Cookie", cookie))) {
            s.next("metrics");
            AdminClient session = AdminClient.http(port).header("Cookie", cookie);
            assertThat(session.header("X-Rampart-CSRF", csrf).delete("/api/v1/session").status()).isEqualTo(204);
            List<EventStreamClient.Event> last = s.awaitEnd();
            assertThat(last).extracting(EventStreamClient.Event::name).contains("end");
        }
    }

    @Test
    void sessionAnswers_tellWhenTheSessionEnds_andBackgroundCallsDoNotKeepItAlive() {
        AdminClient.Answer login = AdminClient.http(port).post("/api/v1/session",
                "{\"username\":\"vera\",\"password\":\"" + AdminSetup.PASSWORD + "\"}");
        assertThat(login.json().path("idleTimeoutSeconds").asLong()).isEqualTo(1800);
        AdminClient session = AdminClient.http(port).header("Cookie", login.header("Set-Cookie").split(";", 2)[0]);
        Instant first = Instant.parse(session.get("/api/v1/whoami").header("X-Rampart-Session-Expires"));
        await().pollDelay(Duration.ofMillis(1100)).atMost(Duration.ofSeconds(5)).until(() -> true);
        Instant background = Instant.parse(session.header("X-Rampart-Background", "1").get("/api/v1/whoami")
                .header("X-Rampart-Session-Expires"));
        assertThat(background).as("a background call is no activity").isEqualTo(first);
        Instant used = Instant.parse(session.get("/api/v1/whoami").header("X-Rampart-Session-Expires"));
        assertThat(used).isAfter(first);
        assertThat(AdminClient.http(port).as("vera").get("/api/v1/whoami").header("X-Rampart-Session-Expires"))
                .as("only session answers carry it").isNull();
    }

    @Test
    void signInOptions_sayWhetherTheCookieIsGood_withoutCredentials() {
        JsonNode anonymous = AdminClient.http(port).get("/api/v1/sign-in").json();
        assertThat(anonymous.path("signedIn").asBoolean()).isFalse();
        assertThat(anonymous.path("sso").asBoolean()).isFalse();
        AdminClient.Answer login = AdminClient.http(port).post("/api/v1/session",
                "{\"username\":\"vera\",\"password\":\"" + AdminSetup.PASSWORD + "\"}");
        AdminClient session = AdminClient.http(port).header("Cookie", login.header("Set-Cookie").split(";", 2)[0]);
        assertThat(session.get("/api/v1/sign-in").json().path("signedIn").asBoolean()).isTrue();
        assertThat(AdminClient.http(port).get("/api/v1/oidc/login").status()).as("no admin.oidc").isEqualTo(404);
    }
}
