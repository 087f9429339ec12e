package io.rampart.server.it.support;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;

import javax.net.ssl.SSLContext;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An identity provider's JWKS endpoint for the end-to-end tests: JDK {@code HttpsServer} on loopback with a
 * certificate of a test CA, serving {@link JwtTokens#publicJwks()} at {@code /jwks.json}. The first
 * {@code failures} requests are answered HTTP 503, as by a provider that is still starting.
 */
public final class JwksEndpoint implements AutoCloseable {

    private final HttpsServer server;
    private final Path caPem;
    private final AtomicInteger requests = new AtomicInteger();

    private JwksEndpoint(HttpsServer server, Path caPem) {
        this.server = server;
        this.caPem = caPem;
    }

    /** Starts an endpoint whose certificates go to {@code dir} and that fails its first {@code failures} requests. */
    public static JwksEndpoint start(Path dir, int failures) {
        TlsPki pki = TlsPki.create(dir, "idp");
        try {
            SSLContext ssl = SSLContext.getInstance("TLS");
            ssl.init(pki.keyManagers(pki.server("idp")).getKeyManagers(), null, null);
            HttpsServer server = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            server.setHttpsConfigurator(new HttpsConfigurator(ssl));
            JwksEndpoint endpoint = new JwksEndpoint(server, pki.caPem());
            server.createContext("/jwks.json", exchange -> {
                if (endpoint.requests.incrementAndGet() <= failures) {
                    exchange.sendResponseHeaders(503, -1);
                    exchange.close();
                    return;
                }
                byte[] body = JwtTokens.publicJwks().getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().add("Content-Type", "application/json");
                exchange.sendResponseHeaders(200, body.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            });
            server.start();
            return endpoint;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    public String url() {
        return "https://127.0.0.1:" + server.getAddress().getPort() + "/jwks.json";
    }

    /** The CA certificate (PEM) that issued the endpoint's certificate: the realm's {@code jwks.trust}. */
    public Path caPem() {
        return caPem;
    }

    /** Requests answered so far, failed ones included. */
    public int requests() {
        return requests.get();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
