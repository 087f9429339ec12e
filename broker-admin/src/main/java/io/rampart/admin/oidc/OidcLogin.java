package io.rampart.admin.oidc;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jose.util.DefaultResourceRetriever;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import io.rampart.admin.config.OidcSettings;
import io.rampart.security.realm.jwt.Claims;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * The OpenID Connect authorization code flow of the Control Center's single sign-on, as the relying party: the
 * provider's endpoints from its discovery document, a login that remembers {@code state}, {@code nonce} and the PKCE
 * verifier on the server (bound to the browser by a short-lived cookie), and a callback that accepts each
 * {@code state} once, exchanges the code with the verifier and checks the ID token's signature (the provider's key
 * set), issuer, audience, expiry and {@code nonce} before it names the operator and its roles.
 */
public final class OidcLogin {

    private static final Logger LOG = LogManager.getLogger(OidcLogin.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final SecureRandom RANDOM = new SecureRandom();
    /** How long a started login may take at the provider. */
    public static final Duration LOGIN_TIMEOUT = Duration.ofMinutes(10);
    private static final int MAX_PENDING = 10_000;
    private static final Duration HTTP_TIMEOUT = Duration.ofSeconds(10);
    private static final int TIMEOUT_MILLIS = (int) HTTP_TIMEOUT.toMillis();
    private static final int MAX_KEY_SET_BYTES = 512 * 1024;
    private static final Set<JWSAlgorithm> ALGORITHMS = Set.of(JWSAlgorithm.RS256, JWSAlgorithm.RS384,
            JWSAlgorithm.RS512, JWSAlgorithm.PS256, JWSAlgorithm.PS384, JWSAlgorithm.PS512, JWSAlgorithm.ES256,
            JWSAlgorithm.ES384, JWSAlgorithm.ES512);

    private final OidcSettings settings;
    private final Clock clock;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(HTTP_TIMEOUT)
            .followRedirects(HttpClient.Redirect.NEVER).build();
    private final Map<String, Pending> pending = new ConcurrentHashMap<>();
    private volatile Provider provider;

    /** A login in progress: what the callback must find again. */
    private record Pending(String nonce, String verifier, URI redirectUri, Instant startedAt) {
    }

    /** The provider's endpoints and keys, from its discovery document. */
    private record Provider(URI authorization, URI token, URI endSession, DefaultJWTProcessor<SecurityContext> ids) {
    }

    /** Where to send the browser, and the state the binding cookie carries. */
    public record Start(URI location, String state) {
    }

    /**
     * A signed-in operator.
     *
     * @param endSession the provider's logout for this sign-in (with the ID token as hint), or {@code null}
     */
    public record SignedIn(String name, String subject, Set<String> roles, Instant expiresAt, URI endSession) {
    }

    /** A refused callback: {@code code} is shown to the operator, {@code reason} goes to the audit log. */
    public static final class Refused extends Exception {
        private static final long serialVersionUID = 1L;
        private final String code;

        Refused(String code, String reason) {
            super(reason, null, false, false);
            this.code = code;
        }

        public String code() {
            return code;
        }
    }

    public OidcLogin(OidcSettings settings, Clock clock) {
        this.settings = settings;
        this.clock = clock;
    }

    public OidcSettings settings() {
        return settings;
    }

    /**
     * Starts a login: remembers a new state with its nonce and PKCE verifier and names the provider's authorization
     * URL. Blocks while the discovery document is fetched (once).
     *
     * @param ownCallback the callback URL as the browser reached this listener (unless {@code redirect-uri} is set)
     */
    public Start start(URI ownCallback) throws Refused {
        Provider p = provider();
        purge();
        if (pending.size() >= MAX_PENDING) {
            throw new Refused("busy", "more than " + MAX_PENDING + " sign-ins in progress");
        }
        String state = random();
        String nonce = random();
        String verifier = random() + random();
        URI redirect = settings.redirectUri() != null ? settings.redirectUri() : ownCallback;
        pending.put(state, new Pending(nonce, verifier, redirect, clock.instant()));
        Map<String, String> q = new LinkedHashMap<>();
        q.put("response_type", "code");
        q.put("client_id", settings.clientId());
        q.put("redirect_uri", redirect.toString());
        q.put("scope", String.join(" ", settings.scopes()));
        q.put("state", state);
        q.put("nonce", nonce);
        q.put("code_challenge", challenge(verifier));
        q.put("code_challenge_method", "S256");
        return new Start(withQuery(p.authorization(), q), state);
    }

    /**
     * Completes a login from the provider's redirect.
     *
     * @param state       the {@code state} parameter
     * @param boundState  the state in the browser's binding cookie (it must be the same browser that started)
     */
    public SignedIn finish(String code, String state, String boundState) throws Refused {
        if (state == null || state.isEmpty()) {
            throw new Refused("state", "the callback carries no state");
        }
        if (boundState == null || !MessageDigest.isEqual(state.getBytes(StandardCharsets.UTF_8),
                boundState.getBytes(StandardCharsets.UTF_8))) {
            throw new Refused("state", "the state does not belong to this browser's sign-in");
        }
        Pending login = pending.remove(state);
        if (login == null || clock.instant().isAfter(login.startedAt().plus(LOGIN_TIMEOUT))) {
            throw new Refused("state", "unknown, used or expired state");
        }
        if (code == null || code.isEmpty()) {
            throw new Refused("code", "the callback carries no authorization code");
        }
        Provider p = provider();
        JsonNode tokens = exchange(p, code, login);
        String idToken = tokens.path("id_token").asText(null);
        if (idToken == null) {
            throw new Refused("token", "the token answer carries no id_token");
        }
        JWTClaimsSet claims;
        try {
            claims = p.ids().process(idToken, null);
        } catch (Exception e) {
            throw new Refused("token", "ID token refused: " + e.getMessage());
        }
        Object nonce = claims.getClaim("nonce");
        if (!(nonce instanceof String n) || !MessageDigest.isEqual(n.getBytes(StandardCharsets.UTF_8),
                login.nonce().getBytes(StandardCharsets.UTF_8))) {
            throw new Refused("nonce", "the ID token's nonce is not the one of this sign-in");
        }
        String subject = claims.getSubject();
        String name = Claims.scalar(Claims.at(claims, settings.usernameClaim()));
        Set<String> roles = new LinkedHashSet<>(Claims.strings(Claims.at(claims, settings.rolesClaim())));
        Instant expires = claims.getExpirationTime() == null ? null : claims.getExpirationTime().toInstant();
        URI endSession = null;
        if (p.endSession() != null) {
            Map<String, String> q = new LinkedHashMap<>();
            q.put("id_token_hint", idToken);
            q.put("client_id", settings.clientId());
            q.put("post_logout_redirect_uri", login.redirectUri().resolve("/").toString());
            endSession = withQuery(p.endSession(), q);
        }
        return new SignedIn(name == null || name.isBlank() ? subject : name, subject, roles, expires, endSession);
    }

    private JsonNode exchange(Provider p, String code, Pending login) throws Refused {
        Map<String, String> form = new LinkedHashMap<>();
        form.put("grant_type", "authorization_code");
        form.put("code", code);
        form.put("redirect_uri", login.redirectUri().toString());
        form.put("code_verifier", login.verifier());
        HttpRequest.Builder request = HttpRequest.newBuilder(p.token()).timeout(HTTP_TIMEOUT)
                .header("Content-Type", "application/x-www-form-urlencoded").header("Accept", "application/json");
        if (settings.clientSecret() != null) {
            String basic = form(settings.clientId()) + ":" + form(settings.clientSecret());
            request.header("Authorization", "Basic "
                    + Base64.getEncoder().encodeToString(basic.getBytes(StandardCharsets.UTF_8)));
        } else {
            form.put("client_id", settings.clientId());
        }
        String body = form.entrySet().stream().map(e -> form(e.getKey()) + "=" + form(e.getValue()))
                .collect(Collectors.joining("&"));
        try {
            HttpResponse<String> answer = http.send(request.POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (answer.statusCode() != 200) {
                throw new Refused("token", "the token endpoint answered " + answer.statusCode() + ": "
                        + JSON.readTree(answer.body()).path("error").asText("-"));
            }
            return JSON.readTree(answer.body());
        } catch (IOException e) {
            throw new Refused("provider", "the token endpoint cannot be reached: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Refused("provider", "interrupted");
        }
    }

    /** The discovery document's endpoints, fetched once; a failed fetch is tried again at the next sign-in. */
    private Provider provider() throws Refused {
        Provider p = provider;
        if (p != null) {
            return p;
        }
        synchronized (this) {
            if (provider == null) {
                provider = discover();
            }
            return provider;
        }
    }

    private Provider discover() throws Refused {
        String base = settings.issuer().toString();
        URI url = URI.create(base + (base.endsWith("/") ? "" : "/") + ".well-known/openid-configuration");
        JsonNode doc;
        try {
            HttpResponse<String> answer = http.send(HttpRequest.newBuilder(url).timeout(HTTP_TIMEOUT)
                    .header("Accept", "application/json").GET().build(), HttpResponse.BodyHandlers.ofString());
            if (answer.statusCode() != 200) {
                throw new Refused("provider", "discovery " + url + " answered " + answer.statusCode());
            }
            doc = JSON.readTree(answer.body());
        } catch (IOException e) {
            LOG.warn("single sign-on: the OpenID provider's discovery document {} cannot be read: {}", url,
                    e.getMessage());
            throw new Refused("provider", "the identity provider cannot be reached");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Refused("provider", "interrupted");
        }
        if (!settings.issuer().toString().equals(doc.path("issuer").asText())) {
            throw new Refused("provider", "the discovery document names issuer " + doc.path("issuer").asText()
                    + ", not " + settings.issuer());
        }
        try {
            JWKSource<SecurityContext> keys = JWKSourceBuilder.create(URI.create(doc.path("jwks_uri").asText()).toURL(),
                    new DefaultResourceRetriever(TIMEOUT_MILLIS, TIMEOUT_MILLIS, MAX_KEY_SET_BYTES)).build();
            DefaultJWTProcessor<SecurityContext> ids = new DefaultJWTProcessor<>();
            ids.setJWSKeySelector(new JWSVerificationKeySelector<>(ALGORITHMS, keys));
            ids.setJWTClaimsSetVerifier(new DefaultJWTClaimsVerifier<>(settings.clientId(),
                    new JWTClaimsSet.Builder().issuer(settings.issuer().toString()).build(),
                    Set.of("sub", "iat", "exp", "nonce")));
            String end = doc.path("end_session_endpoint").asText(null);
            return new Provider(URI.create(doc.path("authorization_endpoint").asText()),
                    URI.create(doc.path("token_endpoint").asText()), end == null ? null : URI.create(end), ids);
        } catch (IOException | IllegalArgumentException e) {
            throw new Refused("provider", "the discovery document is not usable: " + e.getMessage());
        }
    }

    private void purge() {
        Instant cutoff = clock.instant().minus(LOGIN_TIMEOUT);
        pending.values().removeIf(p -> p.startedAt().isBefore(cutoff));
    }

    private static URI withQuery(URI endpoint, Map<String, String> params) {
        String q = params.entrySet().stream().map(e -> form(e.getKey()) + "=" + form(e.getValue()))
                .collect(Collectors.joining("&"));
        String base = endpoint.toString();
        return URI.create(base + (endpoint.getRawQuery() == null ? "?" : "&") + q);
    }

    private static String form(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    static String challenge(String verifier) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String random() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /** For log lines: never the secret. */
    @Override
    public String toString() {
        return "OidcLogin[" + settings.issuer() + "]";
    }
}
