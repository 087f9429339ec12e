package io.rampart.server.it.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import javax.net.ssl.SSLContext;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The admin API through the JDK's {@code HttpClient}: Basic credentials, bearer tokens or a session cookie, JSON
 * bodies, and answers with status, headers and parsed JSON. Immutable: {@code as(...)}, {@code header(...)} return
 * a new client.
 */
public final class AdminClient {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient PLAIN = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final HttpClient http;
    private final String base;
    private final Map<String, String> headers;

    private AdminClient(HttpClient http, String base, Map<String, String> headers) {
        this.http = http;
        this.base = base;
        this.headers = Map.copyOf(headers);
    }

    /** Plain HTTP to 127.0.0.1:{@code port}, without credentials. */
    public static AdminClient http(int port) {
        return http("127.0.0.1", port);
    }

    /** Plain HTTP to {@code host} (an IPv6 literal in brackets) and {@code port}, without credentials. */
    public static AdminClient http(String host, int port) {
        return new AdminClient(PLAIN, "http://" + host + ":" + port, Map.of());
    }

    /** HTTPS to localhost:{@code port}, trusting what {@code ssl} trusts. */
    public static AdminClient https(int port, SSLContext ssl) {
        HttpClient client = HttpClient.newBuilder().sslContext(ssl).connectTimeout(Duration.ofSeconds(5)).build();
        return new AdminClient(client, "https://localhost:" + port, Map.of());
    }

    /** An answer. */
    public record Answer(int status, String body, HttpHeaders headers) {
        public JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new AssertionError("not JSON (" + status + "): " + body, e);
            }
        }

        public String header(String name) {
            return headers.firstValue(name).orElse(null);
        }

        public List<String> allHeaders(String name) {
            return headers.allValues(name);
        }

        /** The problem document's detail. */
        public String detail() {
            return json().path("detail").asText();
        }

        @Override
        public String toString() {
            return status + " " + body;
        }
    }

    /** With HTTP Basic credentials. */
    public AdminClient as(String user, String password) {
        return header("Authorization", "Basic " + Base64.getEncoder()
                .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8)));
    }

    /** An operator of {@link AdminSetup} with its password. */
    public AdminClient as(String user) {
        return as(user, AdminSetup.PASSWORD);
    }

    public AdminClient bearer(String token) {
        return header("Authorization", "Bearer " + token);
    }

    /** With a header (replacing one of the same name). */
    public AdminClient header(String name, String value) {
        Map<String, String> more = new LinkedHashMap<>(headers);
        more.put(name, value);
        return new AdminClient(http, base, more);
    }

    public Answer get(String path) {
        return send("GET", path, null, null);
    }

    public Answer delete(String path) {
        return send("DELETE", path, null, null);
    }

    public Answer post(String path, String json) {
        return send("POST", path, "application/json", json);
    }

    public Answer put(String path, String json) {
        return send("PUT", path, "application/json", json);
    }

    /** Any request; {@code contentType} {@code null} sends no Content-Type. */
    public Answer send(String method, String path, String contentType, String body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        headers.forEach(b::header);
        if (contentType != null) {
            b.header("Content-Type", contentType);
        }
        try {
            HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
            return new Answer(r.statusCode(), r.body(), r.headers());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /** A path segment percent-encoded (UTF-8; every reserved character, {@code /} included). */
    public static String encode(String segment) {
        StringBuilder out = new StringBuilder();
        for (byte b : segment.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_'
                    || c == '.' || c == '~') {
                out.append((char) c);
            } else {
                out.append('%').append(String.format("%02X", c));
            }
        }
        return out.toString();
    }
}
