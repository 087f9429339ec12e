package io.rampart.security.realm.jwt;

import com.nimbusds.jose.jwk.JWK;
import io.rampart.security.spi.AuthenticationManager;
import io.rampart.security.spi.AuthorizationManager;
import io.rampart.security.spi.Realm;
import io.rampart.security.realm.jwt.JwtRealmSettings.Jwks;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Identities vouched for by signed JSON Web Tokens (OAuth 2.0 access tokens, OpenID Connect ID tokens, or
 * tokens a fleet backend mints): keys from a JWKS endpoint (directly or by OpenID Connect discovery), static
 * PEM public keys or HMAC secrets. See {@code docs/JWT-REALM.md}.
 *
 * <p>Verification runs in the caller's thread (the pipeline's executor) when the keys are cached; key set
 * fetches run on this realm's own small executor, never on an event loop. Opening never blocks on the network:
 * the first fetch starts in the background and is retried with backoff until it succeeds; until then tokens
 * that need it are refused as "server unavailable".
 */
public final class JwtRealm implements Realm {

    private static final Logger LOG = LogManager.getLogger("io.rampart.security.realm.jwt");

    private final JwtRealmSettings settings;
    private final ExecutorService requestExecutor;
    private final ExecutorService clientExecutor;
    private final JwksSource remote;
    private final TokenVerifier verifier;
    private final ScheduledFuture<?> refreshTask;

    /**
     * @param timers runs the periodic key set refresh and the retries of a key set that could not be fetched yet
     *               (short tasks that start a fetch); may be {@code null} for neither
     * @throws IOException              when a key file or the trust store cannot be read
     * @throws GeneralSecurityException when the trust store is unusable
     */
    public JwtRealm(JwtRealmSettings settings, ScheduledExecutorService timers) throws IOException, GeneralSecurityException {
        this(settings, timers, Clock.systemUTC());
    }

    JwtRealm(JwtRealmSettings settings, ScheduledExecutorService timers, Clock clock)
            throws IOException, GeneralSecurityException {
        this.settings = Objects.requireNonNull(settings, "settings");
        List<JWK> staticKeys = StaticKeys.load(settings.keys());
        Jwks jwks = settings.jwks();
        boolean remoteKeys = settings.discovery() || (jwks != null && jwks.url() != null);
        JwtRealmSettings.Introspection introspection = settings.introspection();
        if (remoteKeys || introspection != null) {
            this.requestExecutor = requestExecutor(settings.name());
            this.clientExecutor = clientExecutor(settings.name());
        } else {
            this.requestExecutor = null;
            this.clientExecutor = null;
        }
        if (remoteKeys) {
            Jwks http = jwks != null ? jwks : new Jwks(null, null, null, Jwks.DEFAULT_REFRESH, Jwks.DEFAULT_MIN_REFETCH,
                    Jwks.DEFAULT_TIMEOUT);
            URI url = jwks != null ? jwks.url() : null;
            this.remote = new JwksSource(settings.name(), url, settings.issuer(),
                    http(http.trust(), http.trustPassword(), http.timeout()), http.timeout(), http.minRefetchInterval(),
                    timers, http.refresh());
            remote.refresh();
            this.refreshTask = timers == null ? null : timers.scheduleWithFixedDelay(remote::refresh,
                    http.refresh().toMillis(), http.refresh().toMillis(), TimeUnit.MILLISECONDS);
        } else {
            this.remote = null;
            this.refreshTask = null;
        }
        Introspector introspector = null;
        if (introspection != null) {
            introspector = new Introspector(introspection,
                    http(introspection.trust(), introspection.trustPassword(), introspection.timeout()), clock);
        }
        this.verifier = new TokenVerifier(settings, staticKeys, remote, introspector, clock);
        LOG.info("jwt realm '{}': token from {}, algorithms {}, keys: {}{}{}{}", settings.name(),
                settings.tokenSource().name().toLowerCase(java.util.Locale.ROOT).replace('_', '-'),
                new java.util.TreeSet<>(settings.algorithms()),
                remoteKeys ? (settings.discovery() ? "discovery from " + settings.issuer() : "JWKS " + jwks.url()) : "",
                staticKeys.isEmpty() ? "" : (remoteKeys ? ", " : "") + staticKeys.size() + " static key(s)",
                settings.secrets().isEmpty() ? "" : (remoteKeys || !staticKeys.isEmpty() ? ", " : "")
                        + settings.secrets().size() + " HMAC secret(s)",
                introspection == null ? "" : (settings.verifiesLocally() ? ", " : "") + "introspection at "
                        + introspection.url());
    }

    private RealmHttp http(Path trust, String trustPassword, Duration timeout)
            throws IOException, GeneralSecurityException {
        HttpClient client = HttpClient.newBuilder()
                .sslContext(TrustStores.sslContext(trust, trustPassword))
                .connectTimeout(timeout)
                .followRedirects(HttpClient.Redirect.NEVER)
                .executor(clientExecutor)
                .build();
        return new RealmHttp(client, requestExecutor);
    }

    /**
     * The realm's request threads ({@code rampart-jwt-<realm>-N}): each HTTP request (key set fetch, introspection)
     * waits for its answer on one of them. Two threads, bounded queue.
     */
    private static ExecutorService requestExecutor(String realm) {
        return pool("rampart-jwt-" + realm + "-", new LinkedBlockingQueue<>(1_000));
    }

    /**
     * The HTTP clients' own threads ({@code rampart-jwt-<realm>-http-N}) for the work their selector hands off
     * (TLS handshake tasks, response bodies). Unbounded queue: the client gives up for good when a hand-off is
     * refused, and the request threads already bound the requests in flight.
     */
    private static ExecutorService clientExecutor(String realm) {
        return pool("rampart-jwt-" + realm + "-http-", new LinkedBlockingQueue<>());
    }

    private static ExecutorService pool(String prefix, LinkedBlockingQueue<Runnable> queue) {
        AtomicInteger threads = new AtomicInteger();
        ThreadPoolExecutor pool = new ThreadPoolExecutor(2, 2, 30, TimeUnit.SECONDS, queue, r -> {
            Thread t = new Thread(r, prefix + threads.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        pool.allowCoreThreadTimeOut(true);
        return pool;
    }

    @Override
    public String name() {
        return settings.name();
    }

    @Override
    public String type() {
        return "jwt";
    }

    public JwtRealmSettings settings() {
        return settings;
    }

    /** A manager that authenticates clients by their token; see {@link JwtAuthenticator}. */
    @Override
    public AuthenticationManager authenticator(String managerName) {
        return new JwtAuthenticator(managerName, settings, verifier);
    }

    /** A manager that grants the permissions mapped from token scopes; see {@link ScopeAuthorizer}. */
    @Override
    public AuthorizationManager authorizer(String managerName) {
        return new ScopeAuthorizer(managerName, settings.name(), settings::limitsOf);
    }

    @Override
    public String unavailableReason() {
        return remote == null ? null : remote.unavailableReason();
    }

    @Override
    public void close() {
        if (refreshTask != null) {
            refreshTask.cancel(false);
        }
        if (remote != null) {
            remote.close();
        }
        if (requestExecutor != null) {
            requestExecutor.shutdownNow();
            clientExecutor.shutdownNow();
        }
    }
}
