package io.rampart.server.it;

import io.rampart.server.it.support.AdminClient;
import io.rampart.server.it.support.AdminSetup;
import io.rampart.server.it.support.TestBroker;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * What the admin listener refuses before any endpoint sees it: bodies over the limit (413), malformed JSON (400 with
 * the position), unknown fields (400 naming them), other media types (415), too many or too large headers (431), a
 * request that does not arrive in time (408), and more concurrent requests from one address than allowed (429).
 */
class AdminLimitsIT {

    @TempDir
    Path dir;

    private TestBroker start(String limits) {
        return AdminSetup.in(dir).admin("limits: {" + limits + "}").start();
    }

    @Test
    void bodies_overTheLimit_malformed_withUnknownFields_orNotJson_areRefused() {
        try (TestBroker broker = start("max-body-size: 4KB")) {
            AdminClient root = AdminClient.http(broker.port(AdminSetup.ADMIN_LISTENER)).as("root");
            AdminClient.Answer big = root.post("/api/v1/bans", "{\"kind\":\"client-id\",\"value\":\"" + "x".repeat(5000) + "\"}");
            assertThat(big.status()).isEqualTo(413);
            assertThat(big.header("Content-Type")).startsWith("application/problem+json");
            assertThat(big.detail()).isEqualTo("the request body is larger than 4096 bytes");

            AdminClient.Answer malformed = root.post("/api/v1/bans", "{\n  \"kind\": \"client-id\",\n  \"value\" \"x\"\n}");
            assertThat(malformed.status()).isEqualTo(400);
            assertThat(malformed.detail()).startsWith("malformed JSON at line 3, column 11");

            AdminClient.Answer unknown = root.post("/api/v1/bans", "{\"kind\":\"client-id\",\"value\":\"x\",\"colour\":1,\"ttl\":2}");
            assertThat(unknown.status()).isEqualTo(400);
            assertThat(unknown.detail()).startsWith("unknown fields colour, ttl");
            assertThat(unknown.json().path("fields").toString()).isEqualTo("[\"colour\",\"ttl\"]");

            AdminClient.Answer form = root.send("POST", "/api/v1/bans", "application/x-www-form-urlencoded", "kind=x");
            assertThat(form.status()).isEqualTo(415);
            assertThat(root.send("POST", "/api/v1/bans", null, "{}").status()).isEqualTo(415);
            assertThat(root.send("POST", "/api/v1/config/validate", "application/json", "{}").status())
                    .as("YAML expected there").isEqualTo(415);

            AdminClient.Answer problem = root.get("/api/v1/clients/%00");
            assertThat(problem.json().fieldNames()).toIterable()
                    .containsExactly("type", "title", "status", "detail", "requestId");
            assertThat(problem.json().path("requestId").asText()).isEqualTo(problem.header("X-Request-Id"));
        }
    }

    @Test
    void tooManyOrTooLargeHeaders_areRefusedWith431() {
        try (TestBroker broker = start("max-headers: 20, max-header-size: 2KB")) {
            AdminClient http = AdminClient.http(broker.port(AdminSetup.ADMIN_LISTENER));
            AdminClient many = http;
            for (int i = 0; i < 25; i++) {
                many = many.header("X-Filler-" + i, "v");
            }
            AdminClient.Answer a = many.get("/api/v1/whoami");
            assertThat(a.status()).isEqualTo(431);
            assertThat(a.detail()).isEqualTo("more than 20 header fields");
            AdminClient.Answer large = http.header("X-Large", "y".repeat(3000)).get("/api/v1/whoami");
            assertThat(large.status()).isEqualTo(431);
        }
    }

    @Test
    void requestNotReceivedInTime_isAnswered408_andTheConnectionClosed() throws Exception {
        try (TestBroker broker = start("request-timeout: 1s");
             Socket socket = new Socket("127.0.0.1", broker.port(AdminSetup.ADMIN_LISTENER))) {
            socket.setSoTimeout(20_000);
            OutputStream out = socket.getOutputStream();
            out.write("GET /api/v1/whoami HTTP/1.1\r\nHost: 127.0.0.1\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream answer = new ByteArrayOutputStream();
            byte[] buf = new byte[4096];
            int n;
            while ((n = in.read(buf)) >= 0) {
                answer.write(buf, 0, n);
            }
            String text = answer.toString(StandardCharsets.US_ASCII);
            assertThat(text).startsWith("HTTP/1.1 408 Request Timeout").contains("Connection: close")
                    .contains("X-Content-Type-Options: nosniff").contains("\"status\":408");
        }
    }

    @Test
    void moreConcurrentRequestsFromOneAddressThanAllowed_areAnswered429() {
        AdminSetup setup = AdminSetup.in(dir).admin("limits: {max-concurrent-requests-per-address: 1}")
                .security("brute-force: {threshold: 1, initial-delay-ms: 15000, max-delay-ms: 15000, reset-after: 600}");
        try (TestBroker broker = setup.start()) {
            int port = broker.port(AdminSetup.ADMIN_LISTENER);
            AdminClient http = AdminClient.http(port);
            assertThat(http.as("vera", "wrong").get("/api/v1/whoami").status()).isEqualTo(401);
            // The brake now holds every further login from this address for 15 s: one such request is in progress.
            CompletableFuture<HttpResponse<String>> held = HttpClient.newHttpClient().sendAsync(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/whoami"))
                            .header("Authorization", "Basic " + java.util.Base64.getEncoder().encodeToString(
                                    ("vera:" + AdminSetup.PASSWORD).getBytes(StandardCharsets.UTF_8)))
                            .timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString());
            await().atMost(Duration.ofSeconds(10)).until(() -> {
                AdminClient.Answer a = http.get("/api/v1/openapi.yaml");
                if (a.status() == 429) {
                    assertThat(a.header("Retry-After")).isEqualTo("1");
                    assertThat(a.detail()).contains("too many requests in progress from this address (at most 1)");
                }
                return a.status() == 429;
            });
            assertThat(held).as("the held request is still in progress").isNotDone();
            assertThat(http.get("/health/live").status()).as("health never waits for a slot").isEqualTo(200);
            assertThat(held.join().statusCode()).isEqualTo(200);
            assertThat(http.get("/api/v1/openapi.yaml").status()).isEqualTo(200);
        }
    }
}
