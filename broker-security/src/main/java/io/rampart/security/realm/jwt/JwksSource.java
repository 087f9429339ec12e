package io.rampart.security.realm.jwt;

import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.util.JSONObjectUtils;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * A JWK set fetched over HTTPS (directly, or through OpenID Connect discovery) and cached. The set is fetched
 * at start and every {@code refresh}; a token whose key id is not in the cached set causes one refetch, but
 * no more than one per {@code minRefetchInterval} however many such tokens arrive, so a flood of bogus key ids
 * cannot hammer the identity provider. Failed fetches are rate-limited the same way. While a fetch is running,
 * others join it. The last good set stays in use when a refresh fails.
 *
 * <p>Until a set was fetched once, every failed fetch schedules another attempt by itself, with exponential
 * backoff from {@link #FIRST_RETRY} up to {@link #MAX_RETRY} (or {@code refresh}, when shorter), each wait
 * drawn at random between half and all of that step so that brokers restarted together do not retry in step.
 * After the first success only the periodic refresh and unknown key ids fetch again.
 *
 * <p>Fetches run on the realm's request threads; nothing here blocks the caller.
 */
final class JwksSource {

    private static final Logger LOG = LogManager.getLogger("io.rampart.security.realm.jwt");
    private static final int MAX_BYTES = 1 << 20;
    static final Duration FIRST_RETRY = Duration.ofSeconds(1);
    static final Duration MAX_RETRY = Duration.ofMinutes(1);

    private final String realm;
    private final String issuer;
    private final RealmHttp http;
    private final Duration timeout;
    private final long minRefetchNanos;
    private final ScheduledExecutorService timers;
    private final long retryCapMillis;

    private volatile URI jwksUri;
    private volatile JWKSet keys;
    private volatile String lastError;
    private final Object lock = new Object();
    private CompletableFuture<JWKSet> inFlight;
    private long lastAttemptNanos;
    private boolean attempted;
    private int failedAttempts;
    private ScheduledFuture<?> retry;
    private boolean closed;

    /**
     * @param uri     the JWKS URL, or {@code null} to discover it from {@code issuer}
     * @param issuer  the issuer for discovery (its discovery document must name the same issuer)
     * @param timers  runs the retries until the first successful fetch; {@code null}: no retries of its own
     * @param refresh the periodic refresh interval, which also bounds the wait between retries
     */
    JwksSource(String realm, URI uri, String issuer, RealmHttp http, Duration timeout, Duration minRefetchInterval,
               ScheduledExecutorService timers, Duration refresh) {
        this.realm = realm;
        this.jwksUri = uri;
        this.issuer = issuer;
        this.http = http;
        this.timeout = timeout;
        this.minRefetchNanos = minRefetchInterval.toNanos();
        this.timers = timers;
        this.retryCapMillis = Math.max(1, Math.min(MAX_RETRY.toMillis(), refresh.toMillis()));
    }

    /**
     * The keys that may have signed a token with key id {@code kid} (all keys when {@code kid} is {@code null}).
     * Fails only when no key set could ever be fetched (identity provider unreachable).
     */
    CompletionStage<List<JWK>> keys(String kid) {
        JWKSet set = keys;
        if (set == null) {
            return fetchRateLimited().thenApply(s -> select(s, kid));
        }
        List<JWK> found = select(set, kid);
        if (!found.isEmpty() || kid == null) {
            return CompletableFuture.completedFuture(found);
        }
        return fetchRateLimited()
                .handle((fresh, error) -> fresh == null ? found : select(fresh, kid));
    }

    /** Why the last fetch failed while no key set is known, or {@code null}. */
    String unavailableReason() {
        return keys == null ? lastError : null;
    }

    /** Fetches now unless a fetch is running (periodic refresh); never throws. */
    void refresh() {
        synchronized (lock) {
            if (inFlight == null && !closed) {
                startLocked();
            }
        }
    }

    /** Stops the retries; a fetch already running completes. */
    void close() {
        synchronized (lock) {
            closed = true;
            if (retry != null) {
                retry.cancel(false);
            }
        }
    }

    private CompletableFuture<JWKSet> fetchRateLimited() {
        synchronized (lock) {
            if (inFlight != null) {
                return inFlight;
            }
            long now = System.nanoTime();
            if (attempted && now - lastAttemptNanos < minRefetchNanos) {
                JWKSet set = keys;
                if (set != null) {
                    return CompletableFuture.completedFuture(set);
                }
                return CompletableFuture.failedFuture(new IllegalStateException("JWKS of realm '" + realm
                        + "' unavailable: " + (lastError == null ? "fetch pending" : lastError)));
            }
            return startLocked();
        }
    }

    private CompletableFuture<JWKSet> startLocked() {
        attempted = true;
        lastAttemptNanos = System.nanoTime();
        CompletableFuture<JWKSet> f = resolveUri().thenCompose(this::fetchSet).toCompletableFuture();
        inFlight = f;
        f.whenComplete((set, error) -> {
            synchronized (lock) {
                inFlight = null;
                lastAttemptNanos = System.nanoTime();
                if (closed) {
                    return;
                }
            }
            if (error != null) {
                Throwable cause = error instanceof java.util.concurrent.CompletionException && error.getCause() != null
                        ? error.getCause() : error;
                String message = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
                lastError = message;
                if (keys == null) {
                    long delay = scheduleRetry();
                    LOG.warn("jwt realm '{}': cannot fetch the JWK set ({}); tokens are refused as 'server"
                            + " unavailable' until it can be fetched; {}", realm, message, delay < 0
                            ? "fetching again when a token needs it or at the next refresh"
                            : String.format(java.util.Locale.ROOT, "next attempt in %.1f s", delay / 1000.0));
                } else {
                    LOG.warn("jwt realm '{}': cannot fetch the JWK set ({}); keeping the previous key set", realm,
                            message);
                }
            } else {
                boolean first = keys == null;
                keys = set;
                lastError = null;
                synchronized (lock) {
                    failedAttempts = 0;
                }
                if (first) {
                    LOG.info("jwt realm '{}': fetched {} key(s) from {}", realm, set.getKeys().size(), jwksUri);
                } else {
                    LOG.debug("jwt realm '{}': refreshed {} key(s) from {}", realm, set.getKeys().size(), jwksUri);
                }
            }
        });
        return f;
    }

    /**
     * Schedules the next attempt unless one is pending; returns its delay in milliseconds, or -1 when none was
     * scheduled.
     */
    private long scheduleRetry() {
        synchronized (lock) {
            if (timers == null || closed) {
                return -1;
            }
            if (retry != null && !retry.isDone()) {
                return retry.getDelay(TimeUnit.MILLISECONDS);
            }
            failedAttempts++;
            long step = Math.min(retryCapMillis, FIRST_RETRY.toMillis() << Math.min(failedAttempts - 1, 20));
            long delay = step / 2 + ThreadLocalRandom.current().nextLong(step / 2 + 1);
            try {
                retry = timers.schedule(this::retryNow, delay, TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException shuttingDown) {
                return -1;
            }
            return delay;
        }
    }

    private void retryNow() {
        synchronized (lock) {
            retry = null;
        }
        if (keys == null) {
            refresh();
        }
    }

    private CompletionStage<URI> resolveUri() {
        URI known = jwksUri;
        if (known != null) {
            return CompletableFuture.completedFuture(known);
        }
        URI discovery = URI.create(issuer.replaceAll("/+$", "") + "/.well-known/openid-configuration");
        return get(discovery).thenApply(body -> {
            try {
                Map<String, Object> doc = JSONObjectUtils.parse(body);
                String docIssuer = JSONObjectUtils.getString(doc, "issuer");
                if (!issuer.equals(docIssuer)) {
                    throw new IllegalStateException("discovery document at " + discovery + " names issuer '"
                            + docIssuer + "', not '" + issuer + "'");
                }
                URI uri = JSONObjectUtils.getURI(doc, "jwks_uri");
                if (uri == null || !"https".equalsIgnoreCase(uri.getScheme())) {
                    throw new IllegalStateException("discovery document at " + discovery
                            + " has no https jwks_uri");
                }
                jwksUri = uri;
                return uri;
            } catch (java.text.ParseException e) {
                throw new IllegalStateException("discovery document at " + discovery + " is not JSON: "
                        + e.getMessage(), e);
            }
        });
    }

    private CompletionStage<JWKSet> fetchSet(URI uri) {
        return get(uri).thenApply(body -> {
            try {
                JWKSet set = JWKSet.parse(body);
                if (set.getKeys().stream().anyMatch(JWK::isPrivate)) {
                    LOG.warn("jwt realm '{}': the JWK set at {} contains private key material; the private parts "
                            + "are ignored, but the identity provider should never publish them", realm, uri);
                    set = set.toPublicJWKSet();
                }
                return set;
            } catch (java.text.ParseException e) {
                throw new IllegalStateException("the JWK set at " + uri + " is invalid: " + e.getMessage(), e);
            }
        });
    }

    private CompletionStage<String> get(URI uri) {
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(timeout).header("Accept", "application/json")
                .GET().build();
        return http.send(request).thenApply(response -> {
            if (response.statusCode() != 200) {
                throw new IllegalStateException(uri + " answered HTTP " + response.statusCode());
            }
            if (response.body().length > MAX_BYTES) {
                throw new IllegalStateException(uri + " answered more than " + MAX_BYTES + " bytes");
            }
            return new String(response.body(), java.nio.charset.StandardCharsets.UTF_8);
        });
    }

    private static List<JWK> select(JWKSet set, String kid) {
        if (kid == null) {
            return set.getKeys();
        }
        List<JWK> out = new ArrayList<>(1);
        for (JWK k : set.getKeys()) {
            if (kid.equals(k.getKeyID())) {
                out.add(k);
            }
        }
        return out;
    }
}
