package io.rampart.server.it.support;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** Plain HTTP requests to a broker's admin listener. */
public final class AdminHttp {

    /** Status and body of one answer. */
    public record Answer(int status, String body, String contentType) {
    }

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final int port;
    private final Duration timeout;

    public AdminHttp(int port) {
        this(port, Duration.ofSeconds(5));
    }

    public AdminHttp(int port, Duration timeout) {
        this.port = port;
        this.timeout = timeout;
    }

    public Answer get(String path) {
        return send(HttpRequest.newBuilder(uri(path)).GET());
    }

    public Answer put(String path, String body) {
        return send(HttpRequest.newBuilder(uri(path)).PUT(HttpRequest.BodyPublishers.ofString(body)));
    }

    public Answer post(String path, String body) {
        return send(HttpRequest.newBuilder(uri(path)).POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    /** The Prometheus scrape. */
    public Scrape scrape() {
        Answer a = get("/metrics");
        if (a.status() != 200) {
            throw new AssertionError("/metrics answered " + a.status() + ": " + a.body());
        }
        return Scrape.parse(a.body());
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    private Answer send(HttpRequest.Builder request) {
        try {
            HttpResponse<String> r = HTTP.send(request.timeout(timeout).build(),
                    HttpResponse.BodyHandlers.ofString());
            return new Answer(r.statusCode(), r.body(), r.headers().firstValue("content-type").orElse(""));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }
}
