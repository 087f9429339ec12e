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

    /** No answer could be had from a URL; the message says why, in an operator's words. */
    static final class Unreachable extends IOException {
        Unreachable(String message, Throwable cause) {
            super(message, cause);
        }
    }

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

    byte[] get(String url, int maxBytes) throws Unreachable {
        return send(HttpRequest.newBuilder(URI.create(url)).timeout(timeout).GET().build(), url, maxBytes);
    }

    byte[] post(String url, String contentType, String accept, byte[] body, int maxBytes) throws Unreachable {
        return send(HttpRequest.newBuilder(URI.create(url)).timeout(timeout).header("Content-Type", contentType)
                .header("Accept", accept).POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), url, maxBytes);
    }

    private byte[] send(HttpRequest request, String url, int maxBytes) throws Unreachable {
        String known = unreachable == null ? null : unreachable.getIfPresent(url);
        if (known != null) {
            throw new Unreachable(known + " (not asked again for " + UNREACHABLE_FOR.toSeconds() + " s)", null);
        }
        try {
            HttpResponse<InputStream> response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
            try (InputStream in = response.body()) {
                if (response.statusCode() != 200) {
                    throw new IOException("HTTP status " + response.statusCode());
                }
                return readLimited(in, maxBytes);
            }
        } catch (IOException e) {
            Unreachable described = new Unreachable(describe(e), e);
            remember(url, described);
            throw described;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Unreachable("interrupted", e);
        }
    }

    /**
     * What went wrong, in words an operator can act on: {@code connection refused}, {@code connect timed out after
     * 5 s}, {@code no answer within 5 s}, {@code unknown host}, {@code HTTP status 503}, ... (the JDK's HTTP client
     * reports a refused connection as a ConnectException without a message, caused by a ClosedChannelException).
     */
    String describe(IOException e) {
        if (e instanceof java.net.http.HttpConnectTimeoutException) {
            return "connect timed out after " + timeout.toSeconds() + " s";
        }
        if (e instanceof java.net.http.HttpTimeoutException) {
            return "no answer within " + timeout.toSeconds() + " s";
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof java.net.ConnectException) {
                return t.getMessage() != null && !t.getMessage().toLowerCase(java.util.Locale.ROOT).contains("refused")
                        ? "cannot connect (" + t.getMessage() + ")" : "connection refused";
            }
            if (t instanceof java.net.UnknownHostException || t instanceof java.nio.channels.UnresolvedAddressException) {
                return "unknown host";
            }
            if (t instanceof java.net.NoRouteToHostException) {
                return "no route to host";
            }
        }
        if (e.getMessage() != null && e.getMessage().startsWith("HTTP status ")) {
            return e.getMessage();
        }
        if (e instanceof java.io.EOFException || e.getCause() instanceof java.nio.channels.ClosedChannelException
                || e instanceof java.nio.channels.ClosedChannelException) {
            return "the server closed the connection without an answer";
        }
        return CrlChecker.describe(e);
    }

    private void remember(String url, IOException e) {
        if (unreachable != null) {
            unreachable.put(url, e.getMessage());
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
