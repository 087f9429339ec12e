package io.rampart.server.it;

import io.rampart.server.it.support.AdminClient;
import io.rampart.server.it.support.AdminSetup;
import io.rampart.server.it.support.TestBroker;
import io.rampart.server.it.support.TlsPki;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.HttpCookie;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The browser session of the admin API: login sets a strict cookie with a new id every time, logout ends the session
 * on the server, state-changing calls need the session's CSRF header and the listener's own origin, HTTPS listeners
 * use a {@code __Host-} cookie and HSTS, and failed logins slow down per address and per user.
 */
class AdminSessionIT {

    private static final String CREDENTIALS = "{\"username\":\"root\",\"password\":\"" + AdminSetup.PASSWORD + "\"}";

    @TempDir
    Path dir;

    /** A logged-in browser: its cookie header value and CSRF token. */
    private record Browser(String cookie, String csrf, String setCookie) {
    }

    private static Browser login(AdminClient http, String credentials) {
        AdminClient.Answer a = http.post("/api/v1/session", credentials);
        assertThat(a.status()).as(a.toString()).isEqualTo(201);
        String setCookie = a.header("Set-Cookie");
        HttpCookie cookie = HttpCookie.parse(setCookie).get(0);
        return new Browser(cookie.getName() + "=" + cookie.getValue(), a.json().path("csrfToken").asText(), setCookie);
    }

    @Test
    void login_setsAStrictHttpOnlyCookie_withANewIdEachTime_andLogoutEndsTheSessionOnTheServer() {
        try (TestBroker broker = AdminSetup.in(dir).start()) {
            AdminClient http = AdminClient.http(broker.port(AdminSetup.ADMIN_LISTENER));
            Browser first = login(http, CREDENTIALS);
            assertThat(first.setCookie()).startsWith("rampart-session=").contains("Path=/").containsIgnoringCase("HttpOnly")
                    .contains("SameSite=Strict").doesNotContain("Secure").doesNotContain("Domain");
            Browser second = login(http, CREDENTIALS);
            assertThat(second.cookie()).isNotEqualTo(first.cookie());

            AdminClient withCookie = http.header("Cookie", first.cookie());
            AdminClient.Answer session = withCookie.get("/api/v1/session");
            assertThat(session.status()).isEqualTo(200);
            assertThat(session.json().path("user").path("name").asText()).isEqualTo("root");
            assertThat(session.json().path("user").path("authenticationMethod").asText()).isEqualTo("session");
            assertThat(session.json().path("mustChangePassword").asBoolean()).isFalse();
            assertThat(withCookie.get("/api/v1/clients").status()).isEqualTo(200);

            assertThat(withCookie.delete("/api/v1/session").status()).as("logout is state-changing: CSRF").isEqualTo(403);
            AdminClient.Answer logout = withCookie.header("X-Rampart-CSRF", first.csrf()).delete("/api/v1/session");
            assertThat(logout.status()).isEqualTo(204);
            assertThat(logout.header("Set-Cookie")).startsWith("rampart-session=;").contains("Max-Age=0");
            assertThat(withCookie.get("/api/v1/clients").status()).as("ended on the server").isEqualTo(401);
            assertThat(http.header("Cookie", second.cookie()).get("/api/v1/clients").status()).isEqualTo(200);

            AdminClient.Answer wrong = http.post("/api/v1/session", "{\"username\":\"root\",\"password\":\"nope\"}");
            assertThat(wrong.status()).isEqualTo(401);
            assertThat(wrong.header("Set-Cookie")).isNull();
            assertThat(wrong.body()).doesNotContain("nope");
            assertThat(http.as("root").get("/api/v1/session").status()).as("Basic has no session").isEqualTo(404);
        }
    }

    @Test
    void stateChangingCalls_needTheCsrfHeaderWithTheCookie_andTheListenersOwnOrigin() {
        try (TestBroker broker = AdminSetup.in(dir).admin("allowed-origins: [\"https://console.example\"]").start()) {
            int port = broker.port(AdminSetup.ADMIN_LISTENER);
            AdminClient http = AdminClient.http(port);
            Browser b = login(http, CREDENTIALS);
            AdminClient cookie = http.header("Cookie", b.cookie());
            String ban = "{\"kind\":\"client-id\",\"value\":\"csrf-%s\"}";

            AdminClient.Answer noHeader = cookie.post("/api/v1/bans", ban.formatted(1));
            assertThat(noHeader.status()).isEqualTo(403);
            assertThat(noHeader.detail()).contains("X-Rampart-CSRF");
            assertThat(cookie.header("X-Rampart-CSRF", "forged").post("/api/v1/bans", ban.formatted(2)).status())
                    .isEqualTo(403);
            AdminClient withToken = cookie.header("X-Rampart-CSRF", b.csrf());
            AdminClient.Answer foreign = withToken.header("Origin", "https://evil.example").post("/api/v1/bans", ban.formatted(3));
            assertThat(foreign.status()).isEqualTo(403);
            assertThat(foreign.detail()).isEqualTo("cross-origin request from https://evil.example refused");
            assertThat(withToken.header("Origin", "null").post("/api/v1/bans", ban.formatted(4)).status()).isEqualTo(403);
            assertThat(withToken.header("Origin", "http://127.0.0.1:" + port).post("/api/v1/bans", ban.formatted(5)).status())
                    .isEqualTo(201);
            assertThat(withToken.header("Origin", "https://console.example").post("/api/v1/bans", ban.formatted(6)).status())
                    .isEqualTo(201);
            assertThat(withToken.post("/api/v1/bans", ban.formatted(7)).status()).isEqualTo(201);
            assertThat(cookie.get("/api/v1/bans").status()).as("reads need no CSRF header").isEqualTo(200);

            // Browsers replay Basic credentials too: a foreign origin is refused whatever the credentials.
            assertThat(http.as("root").header("Origin", "https://evil.example").post("/api/v1/bans", ban.formatted(8))
                    .status()).isEqualTo(403);
            assertThat(http.as("root").post("/api/v1/bans", ban.formatted(9)).status()).isEqualTo(201);
            // Login itself: no logging in from a foreign page.
            assertThat(http.header("Origin", "https://evil.example").post("/api/v1/session", CREDENTIALS).status())
                    .isEqualTo(403);
            assertThat(http.as("root").get("/api/v1/bans").json().path("items")).extracting(n -> n.path("value").asText())
                    .containsExactly("csrf-5", "csrf-6", "csrf-7", "csrf-9");
        }
    }

    @Test
    void answers_carryTheSecurityHeaders_andNoCors() {
        try (TestBroker broker = AdminSetup.in(dir).start()) {
            AdminClient http = AdminClient.http(broker.port(AdminSetup.ADMIN_LISTENER));
            for (AdminClient.Answer a : List.of(http.get("/health/live"), http.get("/metrics"), http.get("/api/v1/clients"),
                    http.as("root").get("/api/v1/clients"), http.get("/nowhere"),
                    http.header("Origin", "https://evil.example").send("OPTIONS", "/api/v1/clients", null, null))) {
                assertThat(a.header("Cache-Control")).as(a.toString()).isEqualTo("no-store");
                assertThat(a.header("X-Content-Type-Options")).isEqualTo("nosniff");
                assertThat(a.header("X-Frame-Options")).isEqualTo("DENY");
                assertThat(a.header("Content-Security-Policy")).isEqualTo("default-src 'none'; frame-ancestors 'none'");
                assertThat(a.header("Referrer-Policy")).isEqualTo("no-referrer");
                assertThat(a.header("Strict-Transport-Security")).as("plain HTTP").isNull();
                assertThat(a.headers().map().keySet()).noneMatch(h -> h.toLowerCase().startsWith("access-control-"));
            }
            assertThat(http.send("OPTIONS", "/api/v1/clients", null, null).status()).isEqualTo(405);
        }
    }

    @Test
    void httpsListener_usesAHostPrefixedSecureCookie_andHsts() {
        TlsPki pki = TlsPki.create(dir.resolve("pki"), "admin");
        TlsPki.Issued server = pki.server("admin.test");
        AdminSetup setup = AdminSetup.in(dir).adminListener("{type: admin, name: admin, bind: 127.0.0.1, port: 0, tls: {"
                + "certificate: \"" + server.certPem() + "\", private-key: \"" + server.keyPem() + "\"}}");
        try (TestBroker broker = setup.start()) {
            AdminClient https = AdminClient.https(broker.port(AdminSetup.ADMIN_LISTENER), pki.clientContext(null));
            AdminClient.Answer login = https.post("/api/v1/session", CREDENTIALS);
            assertThat(login.status()).isEqualTo(201);
            assertThat(login.header("Set-Cookie")).startsWith("__Host-rampart-session=").contains("Secure")
                    .containsIgnoringCase("HttpOnly").contains("SameSite=Strict").contains("Path=/").doesNotContain("Domain");
            assertThat(login.header("Strict-Transport-Security")).isEqualTo("max-age=31536000");
            HttpCookie cookie = HttpCookie.parse(login.header("Set-Cookie")).get(0);
            assertThat(https.header("Cookie", cookie.getName() + "=" + cookie.getValue()).get("/api/v1/whoami").status())
                    .isEqualTo(200);
            assertThat(https.header("Cookie", "rampart-session=" + cookie.getValue()).get("/api/v1/whoami").status())
                    .as("the plain-HTTP cookie name is not accepted over HTTPS").isEqualTo(401);
            assertThat(https.get("/health/ready").header("Strict-Transport-Security")).isEqualTo("max-age=31536000");
            AdminClient.Answer page = https.get("/");
            assertThat(page.status()).as("the Control Center over HTTPS").isEqualTo(200);
            assertThat(page.header("Strict-Transport-Security")).isEqualTo("max-age=31536000");
            assertThat(page.header("Content-Security-Policy")).contains("script-src 'self'");
        }
    }

    @Test
    void failedLogins_slowDownFurtherAttempts_perAddressAndPerUser() throws Exception {
        Path audit = Path.of(System.getProperty("rampart.test.logdir", "target/test-logs"), "audit.log");
        AdminSetup setup = AdminSetup.in(dir)
                .listeners("- {type: admin, name: admin6, bind: \"::1\", port: 0}")
                .security("brute-force: {threshold: 2, initial-delay-ms: 100, max-delay-ms: 200, reset-after: 600}");
        String yaml = setup.yaml().replace("listeners: [admin]", "listeners: [admin, admin6]");
        try (TestBroker broker = TestBroker.startYaml(yaml)) {
            AdminClient v4 = AdminClient.http(broker.port(AdminSetup.ADMIN_LISTENER));
            AdminClient v6 = AdminClient.http("[::1]", broker.port("admin6"));
            long before = Files.exists(audit) ? Files.readAllLines(audit).size() : 0;
            for (int i = 0; i < 3; i++) {
                assertThat(v4.post("/api/v1/session", "{\"username\":\"vera\",\"password\":\"wrong\"}").status())
                        .isEqualTo(401);
            }
            String vera = "{\"username\":\"vera\",\"password\":\"" + AdminSetup.PASSWORD + "\"}";
            String otto = "{\"username\":\"otto\",\"password\":\"" + AdminSetup.PASSWORD + "\"}";
            assertThat(v6.post("/api/v1/session", otto).status()).as("another user, another address").isEqualTo(201);
            assertThat(v6.post("/api/v1/session", vera).status()).as("the right password still works").isEqualTo(201);
            assertThat(v4.post("/api/v1/session", otto).status()).isEqualTo(201);

            await().until(() -> logins(audit, before).size() == 6);
            List<String> logins = logins(audit, before);
            assertThat(logins.get(0)).contains("result=denied").doesNotContain("login delayed");
            assertThat(logins.get(2)).as("third failure: over the threshold").contains("login delayed");
            assertThat(logins.get(3)).contains("actor=\"otto\"").contains("address=0:0:0:0:0:0:0:1")
                    .doesNotContain("login delayed");
            assertThat(logins.get(4)).as("vera's own failures, from another address").contains("actor=\"vera\"")
                    .contains("result=success").contains("login delayed");
            assertThat(logins.get(5)).as("the address's failures, for another user").contains("actor=\"otto\"")
                    .contains("address=127.0.0.1").contains("login delayed");
        }
    }

    private static List<String> logins(Path audit, long skip) throws java.io.IOException {
        return Files.readAllLines(audit).stream().skip(skip).filter(l -> l.contains("action=session.login")).toList();
    }
}
