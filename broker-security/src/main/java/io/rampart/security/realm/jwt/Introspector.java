package io.rampart.security.realm.jwt;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.nimbusds.jose.util.JSONObjectUtils;
import com.nimbusds.jwt.JWTClaimsSet;
import io.rampart.security.realm.jwt.JwtRealmSettings.Introspection;

import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/**
 * OAuth 2.0 token introspection (RFC 7662): asks the authorization server whether an (opaque) token is
 * active and what it stands for. The answer's members are read like the claims of a JWT and checked the same
 * way (expiry, issuer, audience, required claims). Answers are cached by the token's SHA-256 for
 * {@code cache-ttl}, never beyond the token's {@code exp}; inactive tokens are cached too, so a client retrying
 * a revoked token does not reach the server each time. Failures to reach the server are not cached.
 */
final class Introspector {

    private static final int MAX_BYTES = 1 << 20;

    private record Entry(TokenVerifier.Outcome outcome, Instant until) {
    }

    private final Introspection settings;
    private final RealmHttp http;
    private final Clock clock;
    private final String authorization;
    private final Cache<String, Entry> cache;

    Introspector(Introspection settings, RealmHttp http, Clock clock) {
        this.settings = settings;
        this.http = http;
        this.clock = clock;
        this.authorization = "Basic " + Base64.getEncoder().encodeToString(
                (form(settings.clientId()) + ":" + form(settings.clientSecret())).getBytes(StandardCharsets.UTF_8));
        this.cache = Caffeine.newBuilder().maximumSize(100_000).expireAfterWrite(settings.cacheTtl()).build();
    }

    /** Introspects {@code token}; {@code check} returns why valid claims are not acceptable, or {@code null}. */
    CompletionStage<TokenVerifier.Outcome> introspect(String token, Function<JWTClaimsSet, String> check) {
        String key = sha256(token);
        Entry cached = cache.getIfPresent(key);
        Instant now = clock.instant();
        if (cached != null && now.isBefore(cached.until())) {
            return CompletableFuture.completedFuture(cached.outcome());
        }
        HttpRequest request = HttpRequest.newBuilder(settings.url()).timeout(settings.timeout())
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header("Accept", "application/json")
                .header("Authorization", authorization)
                .POST(HttpRequest.BodyPublishers.ofString("token=" + form(token) + "&token_type_hint=access_token"))
                .build();
        return http.send(request).handle((response, error) -> {
            if (error != null) {
                Throwable cause = error.getCause() != null ? error.getCause() : error;
                return new TokenVerifier.Unavailable("introspection endpoint " + settings.url() + " unreachable: "
                        + (cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage()));
            }
            if (response.statusCode() != 200 || response.body().length > MAX_BYTES) {
                return new TokenVerifier.Unavailable("introspection endpoint " + settings.url() + " answered HTTP "
                        + response.statusCode());
            }
            TokenVerifier.Outcome outcome;
            Instant until = clock.instant().plus(settings.cacheTtl());
            try {
                Map<String, Object> json = JSONObjectUtils.parse(new String(response.body(), StandardCharsets.UTF_8));
                if (!Boolean.TRUE.equals(json.get("active"))) {
                    outcome = new TokenVerifier.Invalid("token is not active (introspection)");
                } else {
                    JWTClaimsSet claims = JWTClaimsSet.parse(json);
                    String problem = check.apply(claims);
                    outcome = problem == null ? new TokenVerifier.Valid(claims) : new TokenVerifier.Invalid(problem);
                    if (claims.getExpirationTime() != null && claims.getExpirationTime().toInstant().isBefore(until)) {
                        until = claims.getExpirationTime().toInstant();
                    }
                }
            } catch (java.text.ParseException | RuntimeException e) {
                return new TokenVerifier.Unavailable("introspection endpoint " + settings.url()
                        + " answered something other than an introspection response: " + e.getMessage());
            }
            cache.put(key, new Entry(outcome, until));
            return outcome;
        });
    }

    private static String form(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    private static String sha256(String token) {
        try {
            return Base64.getEncoder().encodeToString(
                    MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
