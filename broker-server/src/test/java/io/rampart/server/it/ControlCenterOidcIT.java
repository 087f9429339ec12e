package io.rampart.server.it;

import com.fasterxml.jackson.databind.JsonNode;
import io.rampart.server.it.support.AdminClient;
import io.rampart.server.it.support.AdminSetup;
import io.rampart.server.it.support.Browser;
import io.rampart.server.it.support.TestBroker;
import no.nav.security.mock.oauth2.MockOAuth2Server;
import no.nav.security.mock.oauth2.token.DefaultOAuth2TokenCallback;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;

import java.io.IOException;
import java.net.CookieManager;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Single sign-on to the Control Center against a real OpenID provider running in the test (mock-oauth2-server):
 * the browser signs in through the provider and gets the admin roles its roles claim maps to; a callback with a
 * wrong or replayed state, from another browser, or with an ID token for another nonce is refused.
 */
class ControlCenterOidcIT {

    @TempDir
    static Path dir;

    private static MockOAuth2Server provider;
    private static TestBroker broker;
    private static int adminPort;

    @BeforeAll
    static void start() {
        provider = new MockOAuth2Server();
        provider.start(0);
        String issuer = provider.issuerUrl("default").toString();
        broker = AdminSetup.in(dir).admin("""
                oidc:
                  issuer: "%s"
                  client-id: rampart-control-center
                  client-secret: not-so-secret
                  roles-claim: groups
                """.formatted(issuer)).start();
        adminPort = broker.port(AdminSetup.ADMIN_LISTENER);
    }

    @AfterAll
    static void stop() {
        broker.close();
        provider.shutdown();
    }

    @Test
    void signInWithSso_givesTheRolesOfTheGroupsClaim_andSignOutOffersTheProvidersLogout() {
        provider.enqueueCallback(new DefaultOAuth2TokenCallback("default", "u-4711", "JWT", null,
                Map.of("preferred_username", "olivia", "groups", List.of("operators", "unmapped"))));
        try (Browser b = Browser.open(adminPort)) {
            b.go("/");
            b.testId("sso").click();
            b.shown(By.cssSelector("nav.side"));
            assertThat(b.testId("who").getText()).contains("olivia").contains("operators");
            assertThat(b.all(By.cssSelector("nav.side a")).stream().map(e -> e.getText()))
                    .containsExactly("Overview", "Topics", "Clients", "Subscriptions", "Retained messages", "Access log");
            b.testId("card-connections");
            b.screenshot("sso-signed-in");
            b.testId("sign-out").click();
            assertThat(b.testId("end-session").getAttribute("href")).startsWith(provider.issuerUrl("default").toString())
                    .contains("id_token_hint=");
            assertThat(b.consoleProblems()).isEmpty();
        }
        JsonNode audit = AdminClient.http(adminPort).as("root").get("/api/v1/audit?action=session.oidc-login").json();
        assertThat(audit.path("items")).anySatisfy(line -> {
            assertThat(line.path("actor").asText()).isEqualTo("olivia");
            assertThat(line.path("result").asText()).isEqualTo("success");
        });
    }

    @Test
    void wrongReplayedOrForeignState_isRefused_andNoSessionIsCreated() throws Exception {
        SsoBrowser browser = new SsoBrowser();
        URI authorize = browser.startLogin();
        URI callback = browser.follow(authorize);
        String state = query(callback, "state");

        HttpResponse<String> wrong = browser.get(withQuery(callback, "state", state + "x"));
        assertThat(wrong.statusCode()).isEqualTo(303);
        assertThat(wrong.headers().firstValue("Location")).hasValue("/#/sign-in?error=state");
        assertThat(wrong.headers().allValues("Set-Cookie")).noneMatch(c -> c.startsWith("rampart-session=") && !c.contains("Max-Age=0"));

        SsoBrowser other = new SsoBrowser();
        other.startLogin();
        HttpResponse<String> foreign = other.get(callback);
        assertThat(foreign.headers().firstValue("Location")).as("another browser's state").hasValue("/#/sign-in?error=state");

        SsoBrowser again = new SsoBrowser();
        URI first = again.follow(again.startLogin());
        HttpResponse<String> ok = again.get(first);
        assertThat(ok.headers().firstValue("Location")).hasValue("/#/overview");
        assertThat(ok.headers().allValues("Set-Cookie")).anyMatch(c -> c.startsWith("rampart-session="));
        HttpResponse<String> replay = again.get(first);
        assertThat(replay.headers().firstValue("Location")).as("a used state").hasValue("/#/sign-in?error=state");

        JsonNode audit = AdminClient.http(adminPort).as("root").get("/api/v1/audit?action=session.oidc-login").json();
        assertThat(audit.path("items")).filteredOn(l -> l.path("result").asText().equals("denied"))
                .anySatisfy(l -> assertThat(l.path("detail").asText()).contains("state"));
    }

    @Test
    void anIdTokenForAnotherNonce_isRefused() throws Exception {
        SsoBrowser browser = new SsoBrowser();
        URI authorize = browser.startLogin();
        URI tampered = withQuery(authorize, "nonce", "a-nonce-of-the-attacker");
        URI callback = browser.follow(tampered);
        HttpResponse<String> answer = browser.get(callback);
        assertThat(answer.statusCode()).isEqualTo(303);
        assertThat(answer.headers().firstValue("Location")).hasValue("/#/sign-in?error=nonce");
        assertThat(answer.headers().allValues("Set-Cookie")).noneMatch(c -> c.startsWith("rampart-session=") && !c.contains("Max-Age=0"));
    }

    /** A browser without JavaScript: a cookie jar, redirects followed by hand. */
    private static final class SsoBrowser {
        private final HttpClient http = HttpClient.newBuilder().cookieHandler(new CookieManager())
                .followRedirects(HttpClient.Redirect.NEVER).connectTimeout(Duration.ofSeconds(5)).build();

        URI startLogin() throws IOException, InterruptedException {
            HttpResponse<String> start = get(URI.create("http://127.0.0.1:" + adminPort + "/api/v1/oidc/login"));
            assertThat(start.statusCode()).isEqualTo(303);
            return URI.create(start.headers().firstValue("Location").orElseThrow());
        }

        /** The provider's answer to the authorization request: the callback URL it redirects to. */
        URI follow(URI authorize) throws IOException, InterruptedException {
            HttpResponse<String> answer = get(authorize);
            assertThat(answer.statusCode()).as(answer.body()).isBetween(300, 399);
            return URI.create(answer.headers().firstValue("Location").orElseThrow());
        }

        HttpResponse<String> get(URI uri) throws IOException, InterruptedException {
            return http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30)).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
        }
    }

    private static String query(URI uri, String name) {
        Matcher m = Pattern.compile("(?:^|&)" + name + "=([^&]*)").matcher(uri.getRawQuery());
        assertThat(m.find()).as(name + " in " + uri).isTrue();
        return m.group(1);
    }

    private static URI withQuery(URI uri, String name, String value) {
        String q = uri.getRawQuery().replaceAll("(^|&)" + name + "=[^&]*", "$1" + name + "="
                + java.net.URLEncoder.encode(value, java.nio.charset.StandardCharsets.UTF_8));
        return URI.create(uri.toString().substring(0, uri.toString().indexOf('?') + 1) + q);
    }
}
