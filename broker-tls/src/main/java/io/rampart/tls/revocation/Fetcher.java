package io.rampart.tls.revocation;

import com.github.benmanes.caffeine.cache.Cache;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * HTTP for revocation checks: bounded by a timeout and a body size, and remembering unreachable URLs for a
 * while, so that while a responder or distribution point is down handshakes get a fast "unavailable" instead
 * of each waiting for the timeout on the handshake executor.
 */
final class Fetcher {

    /** How long an unreachable URL is not asked again. */
    static final Duration UNREACHABLE_FOR = Duration.ofSeconds(30);

    private final HttpClient http;
    private final Duration timeout;
    private final Cache<String, String> unreachable;

    /** @param unreachable remembered failures by URL, or {@code null} to always ask */
    Fetcher(HttpClient http, Duration timeout, Cache<String, String> unreachable) {
        this.http = http;
        this.timeout = timeout;
        this.unreachable = unreachable;
    }

    byte[] get(String url, int maxBytes) throws IOException {
        return send(HttpRequest.newBuilder(URI.create(url)).timeout(timeout).GET().build(), url, maxBytes);
    }

    byte[] post(String url, String contentType, String accept, byte[] body, int maxBytes) throws IOException {
        return send(HttpRequest.newBuilder(URI.create(url)).timeout(timeout).header("Content-Type", contentType)
                .header("Accept", accept).POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), url, maxBytes);
    }

    private byte[] send(HttpRequest request, String url, int maxBytes) throws IOException {
        String known = unreachable == null ? null : unreachable.getIfPresent(url);
        if (known != null) {
            throw new IOException(known + " (not asked again for " + UNREACHABLE_FOR.toSeconds() + " s)");
        }
        try {
            HttpResponse<InputStream> response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
            try (InputStream in = response.body()) {
                if (response.statusCode() != 200) {
                    throw new IOException("HTTP " + response.statusCode());
                }
                return readLimited(in, maxBytes);
            }
        } catch (IOException e) {
            remember(url, e);
            throw e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    private void remember(String url, Exception e) {
        if (unreachable != null) {
            unreachable.put(url, CrlChecker.describe(e));
        }
    }

    private static byte[] readLimited(InputStream in, int maxBytes) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        int n;
        while ((n = in.read(buffer)) >= 0) {
            if (out.size() + n > maxBytes) {
                throw new IOException("response larger than " + maxBytes + " bytes");
            }
            out.write(buffer, 0, n);
        }
        return out.toByteArray();
    }
}
