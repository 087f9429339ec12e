package io.rampart.security.realm.jwt;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * The HTTPS requests of one JWT realm (key set fetches, discovery, introspection). Each runs as a blocking
 * {@link HttpClient#send} on the realm's request threads ({@code rampart-jwt-<realm>-N}), so the caller gets a
 * stage that completes there. Not {@code sendAsync}: the JDK completes every {@code sendAsync} through
 * {@code CompletableFuture}'s default executor, which on a machine with fewer than three cores starts a new,
 * unnamed thread ({@code Thread-N}) per request.
 */
final class RealmHttp {

    private final HttpClient client;
    private final Executor requests;

    /**
     * @param client   the HTTP client; its own executor must not be {@code requests} (a request thread waits in
     *                 {@code send} for work the client hands to that executor)
     * @param requests bounded; a full queue fails the request at once
     */
    RealmHttp(HttpClient client, Executor requests) {
        this.client = client;
        this.requests = requests;
    }

    CompletableFuture<HttpResponse<byte[]>> send(HttpRequest request) {
        CompletableFuture<HttpResponse<byte[]>> result = new CompletableFuture<>();
        try {
            requests.execute(() -> {
                try {
                    result.complete(client.send(request, HttpResponse.BodyHandlers.ofByteArray()));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    result.completeExceptionally(new IOException("interrupted (realm closing)", e));
                } catch (IOException | RuntimeException e) {
                    result.completeExceptionally(e);
                }
            });
        } catch (RejectedExecutionException e) {
            result.completeExceptionally(new IOException("too many HTTP requests waiting for the realm's threads"));
        }
        return result;
    }
}
