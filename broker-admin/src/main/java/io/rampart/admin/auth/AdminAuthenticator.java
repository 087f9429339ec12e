package io.rampart.admin.auth;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.cookie.Cookie;
import io.netty.handler.codec.http.cookie.ServerCookieDecoder;
import io.rampart.admin.http.HttpCall;
import io.rampart.admin.rbac.AdminGrants;
import io.rampart.admin.rbac.GrantRule;
import io.rampart.admin.rbac.RoleMapping;
import io.rampart.admin.token.ApiToken;
import io.rampart.admin.token.TokenStore;
import io.rampart.security.permission.AdminGrantSpec;
import io.rampart.security.pipeline.SecurityPipeline;
import io.rampart.security.pipeline.SecurityResult;
import io.rampart.security.spi.AdminPermissionSource;
import io.rampart.security.spi.AuthenticationManager;
import io.rampart.security.spi.Decision;
import io.rampart.security.spi.Identity;
import io.rampart.security.spi.IdentityVariables;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Finds out who an admin request comes from: HTTP Basic and JWT bearer tokens through the security pipeline
 * bound to the admin listener, API tokens through the token store, the browser session cookie through the
 * session table, and, with no credentials but a TLS client certificate, the pipeline's x509 manager. Password and
 * JWT attempts pass the login brake first (per address and user). The realm roles of the identity become admin
 * grants through {@code admin.roles}; a user of a realm that stores admin permissions ({@code admin-permissions} of
 * file and SQL realms) gets those of its user record and roles too.
 */
public final class AdminAuthenticator {

    public static final String USERNAME_VARIABLE = "admin-username";
    public static final String REALM_VARIABLE = "admin-realm";
    /** The {@code sub} claim of an operator signed in through OpenID Connect. */
    public static final String OIDC_SUBJECT_VARIABLE = "oidc-sub";
    private static final int MAX_CREDENTIAL_LENGTH = 16_384;

    private static final Logger LOG = LogManager.getLogger(AdminAuthenticator.class);
    /** Distinct unusable realm entries already warned about; bounded so a broken realm cannot grow it. */
    private static final int MAX_WARNED = 1000;

    private final RoleMapping roles;
    private final TokenStore tokens;
    private final AdminSessions sessions;
    private final LoginThrottle throttle;
    private final ScheduledExecutorService timer;
    private final Function<String, AdminPermissionSource> realmGrants;
    private final Set<String> warned = ConcurrentHashMap.newKeySet();

    /**
     * @param realmGrants the realm of a name that stores admin permissions with its users and roles, or {@code null}
     */
    public AdminAuthenticator(RoleMapping roles, TokenStore tokens, AdminSessions sessions, LoginThrottle throttle,
                              ScheduledExecutorService timer, Function<String, AdminPermissionSource> realmGrants) {
        this.roles = roles;
        this.tokens = tokens;
        this.sessions = sessions;
        this.throttle = throttle;
        this.timer = timer;
        this.realmGrants = realmGrants;
    }

    public AdminSessions sessions() {
        return sessions;
    }

    /**
     * Authenticates a request.
     *
     * @param pipeline the admin listener's security pipeline, or {@code null} when none is bound (then only API
     *                 tokens and existing sessions work)
     */
    public CompletionStage<AuthOutcome> authenticate(HttpCall call, SecurityPipeline pipeline) {
        return authenticate(call, pipeline, true);
    }

    /**
     * Authenticates a request.
     *
     * @param touch whether a browser session's use counts as activity (see {@link AdminSessions#find(String, boolean)})
     */
    public CompletionStage<AuthOutcome> authenticate(HttpCall call, SecurityPipeline pipeline, boolean touch) {
        String authorization = call.headers().get(HttpHeaderNames.AUTHORIZATION);
        if (authorization != null) {
            if (authorization.length() > MAX_CREDENTIAL_LENGTH) {
                return failed(401, "credentials too long", null, null, null);
            }
            int space = authorization.indexOf(' ');
            String scheme = space < 0 ? authorization : authorization.substring(0, space);
            String value = space < 0 ? "" : authorization.substring(space + 1).strip();
            if (scheme.equalsIgnoreCase("Basic")) {
                return basic(call, value, pipeline);
            }
            if (scheme.equalsIgnoreCase("Bearer")) {
                return TokenStore.looksLikeToken(value) ? apiToken(call, value) : jwt(call, value, pipeline);
            }
            return failed(401, "unsupported authorization scheme '" + printable(scheme) + "'", null, null, null);
        }
        String sessionId = sessionCookie(call);
        if (sessionId != null) {
            AdminSessions.Session session = sessions.find(sessionId, touch);
            if (session == null) {
                return failed(401, "session unknown or expired", null, AuthMethod.SESSION, null);
            }
            return CompletableFuture.completedFuture(new AuthOutcome.Authenticated(session.principal(), session, null));
        }
        if (!call.tls().isEmpty() && call.tls().containsKey("tls-subject-dn") && pipeline != null) {
            return identify(call, pipeline, null, null, null, null, AuthMethod.X509);
        }
        return CompletableFuture.completedFuture(new AuthOutcome.Failed(401, "authentication required",
                "no credentials", null, null, null));
    }

    /** Checks a user name and password (login form of the Control Center). */
    public CompletionStage<AuthOutcome> password(HttpCall call, String user, char[] password, SecurityPipeline pipeline,
                                                 AuthMethod as) {
        byte[] bytes = toBytes(password);
        return identify(call, pipeline, user, bytes, null, null, as);
    }

    /** The value of the session cookie that fits the listener ({@code __Host-} name on HTTPS), or {@code null}. */
    public static String sessionCookie(HttpCall call) {
        String header = call.headers().get(HttpHeaderNames.COOKIE);
        if (header == null || header.length() > MAX_CREDENTIAL_LENGTH) {
            return null;
        }
        String wanted = call.secure() ? AdminSessions.SECURE_COOKIE : AdminSessions.PLAIN_COOKIE;
        for (Cookie c : ServerCookieDecoder.STRICT.decode(header)) {
            if (c.name().equals(wanted)) {
                return c.value();
            }
        }
        return null;
    }

    private CompletionStage<AuthOutcome> basic(HttpCall call, String encoded, SecurityPipeline pipeline) {
        byte[] decoded;
        try {
            decoded = Base64.getDecoder().decode(encoded);
        } catch (IllegalArgumentException e) {
            return failed(401, "malformed Basic credentials", null, AuthMethod.BASIC, null);
        }
        int colon = -1;
        for (int i = 0; i < decoded.length; i++) {
            if (decoded[i] == ':') {
                colon = i;
                break;
            }
        }
        if (colon <= 0) {
            Arrays.fill(decoded, (byte) 0);
            return failed(401, "malformed Basic credentials", null, AuthMethod.BASIC, null);
        }
        String user = new String(decoded, 0, colon, StandardCharsets.UTF_8);
        byte[] password = Arrays.copyOfRange(decoded, colon + 1, decoded.length);
        Arrays.fill(decoded, (byte) 0);
        return identify(call, pipeline, user, password, null, null, AuthMethod.BASIC);
    }

    private CompletionStage<AuthOutcome> jwt(HttpCall call, String token, SecurityPipeline pipeline) {
        if (token.isEmpty()) {
            return failed(401, "empty bearer token", null, AuthMethod.JWT, null);
        }
        byte[] bytes = token.getBytes(StandardCharsets.UTF_8);
        String method = null;
        if (pipeline != null) {
            for (AuthenticationManager m : pipeline.authenticators()) {
                Set<String> methods = m.authenticationMethods();
                if (!methods.isEmpty()) {
                    method = methods.iterator().next();
                    break;
                }
            }
        }
        return identify(call, pipeline, null, bytes, method, method == null ? null : bytes.clone(), AuthMethod.JWT);
    }

    private CompletionStage<AuthOutcome> apiToken(HttpCall call, String presented) {
        InetAddress from = call.remote() == null ? null : call.remote().getAddress();
        TokenStore.Verification v = tokens.verify(presented, from);
        if (v instanceof TokenStore.Refused refused) {
            throttle.failure(from, null);
            return failed(401, refused.reason(), null, AuthMethod.TOKEN, refused.tokenId());
        }
        ApiToken token = ((TokenStore.Valid) v).token();
        Map<String, String> variables = new HashMap<>();
        variables.put(USERNAME_VARIABLE, token.createdBy());
        AdminGrants grants = AdminGrants.compile(roles.rulesForToken(token.roles(), token.id()), variables);
        AdminPrincipal principal = new AdminPrincipal(token.createdBy().isEmpty() ? "token:" + token.id() : token.createdBy(),
                null, AuthMethod.TOKEN, token.id(), Set.copyOf(token.roles()), Map.of(), "token", token.expiresAt(), grants);
        return CompletableFuture.completedFuture(new AuthOutcome.Authenticated(principal, null, null));
    }

    private CompletionStage<AuthOutcome> identify(HttpCall call, SecurityPipeline pipeline, String user, byte[] secret,
                                                  String authMethod, byte[] authData, AuthMethod as) {
        if (pipeline == null) {
            wipe(secret, authData);
            return failed(401, "no security pipeline is bound to admin listener '" + call.listener() + "'", user, as, null);
        }
        InetAddress from = call.remote() == null ? null : call.remote().getAddress();
        IdentityVariables vars = new IdentityVariables()
                .set(IdentityVariables.USERNAME, user)
                .set(IdentityVariables.LISTENER, call.listener());
        if (from != null) {
            vars.set(IdentityVariables.REMOTE_ADDRESS, from.getHostAddress());
        }
        call.tls().forEach(vars::set);
        long delay = throttle.delayMillis(from, user);
        CompletableFuture<SecurityResult> result = new CompletableFuture<>();
        Runnable run = () -> pipeline.identify(vars, secret, authMethod, authData).whenComplete((r, e) -> {
            wipe(secret, authData);
            if (e != null) {
                result.completeExceptionally(e);
            } else {
                result.complete(r);
            }
        });
        if (delay > 0) {
            timer.schedule(run, delay, TimeUnit.MILLISECONDS);
        } else {
            run.run();
        }
        String note = delay > 0 ? "login delayed " + delay + " ms by the brute-force brake" : null;
        return result.handle((r, e) -> {
            if (r instanceof SecurityResult.Accepted accepted) {
                throttle.success(from, user);
                return realmGrantsOf(accepted.identity()).thenApply(fromRealm -> (AuthOutcome)
                        new AuthOutcome.Authenticated(principal(accepted.identity(), as, fromRealm), null, note));
            }
            SecurityResult.Refused refused = r instanceof SecurityResult.Refused x ? x
                    : new SecurityResult.Refused(Decision.DenyKind.UNAVAILABLE, String.valueOf(e), "pipeline", null);
            if (refused.kind() == Decision.DenyKind.UNAVAILABLE) {
                return CompletableFuture.<AuthOutcome>completedFuture(new AuthOutcome.Failed(503,
                        "the identity store cannot answer right now; try again later",
                        refused.manager() + ": " + refused.reason() + suffix(note), user, as, null));
            }
            throttle.failure(from, user);
            return CompletableFuture.<AuthOutcome>completedFuture(new AuthOutcome.Failed(401, "invalid credentials",
                    refused.manager() + ": " + refused.reason() + suffix(note), user, as, null));
        }).thenCompose(stage -> stage);
    }

    /**
     * The admin permissions the realm that vouches for {@code identity} stores with its user and roles, as grants;
     * an entry that is not a valid grant is left out (and logged once).
     */
    private CompletionStage<List<GrantRule>> realmGrantsOf(Identity identity) {
        AdminPermissionSource source = identity.rolesRealm() == null ? null : realmGrants.apply(identity.rolesRealm());
        if (source == null) {
            return CompletableFuture.completedFuture(List.of());
        }
        return source.adminPermissionsOf(identity).thenApply(specs -> {
            List<GrantRule> out = new ArrayList<>();
            for (AdminGrantSpec spec : specs) {
                try {
                    out.add(GrantRule.fromRealm(spec));
                } catch (IllegalArgumentException e) {
                    String where = spec.origin() == null ? "realm '" + identity.rolesRealm() + "'"
                            : spec.origin().describe();
                    String warning = where + ": admin permission entry ignored: " + e.getMessage();
                    if (warned.size() < MAX_WARNED && warned.add(warning)) {
                        LOG.warn("{}; it grants nothing until it is fixed", warning);
                    }
                }
            }
            return out;
        });
    }

    /** The admin view of an identity the pipeline accepted; {@code fromRealm}: grants its realm stores. */
    public AdminPrincipal principal(Identity identity, AuthMethod as, List<GrantRule> fromRealm) {
        Map<String, String> variables = new HashMap<>(identity.attributes());
        variables.put(USERNAME_VARIABLE, identity.name());
        if (identity.realm() != null) {
            variables.put(REALM_VARIABLE, identity.realm());
        }
        List<GrantRule> rules = new ArrayList<>(roles.rulesFor(identity.roles()));
        rules.addAll(fromRealm);
        AdminGrants grants = AdminGrants.compile(rules, variables);
        return new AdminPrincipal(identity.name(), identity.realm(), as, null, identity.roles(), identity.attributes(),
                identity.manager(), identity.expiresAt(), grants);
    }

    /**
     * An operator the OpenID Connect provider of {@code admin.oidc} vouched for: its roles claim maps to grants
     * through {@code admin.roles}, like realm roles. It belongs to no realm (so it has no password here).
     */
    public AdminPrincipal oidcPrincipal(String name, String subject, Set<String> idpRoles) {
        Map<String, String> variables = new HashMap<>();
        variables.put(USERNAME_VARIABLE, name);
        variables.put(OIDC_SUBJECT_VARIABLE, subject);
        AdminGrants grants = AdminGrants.compile(roles.rulesFor(idpRoles), variables);
        return new AdminPrincipal(name, null, AuthMethod.OIDC, null, idpRoles, Map.of(OIDC_SUBJECT_VARIABLE, subject),
                "oidc", null, grants);
    }

    private static String suffix(String note) {
        return note == null ? "" : " (" + note + ")";
    }

    private static CompletionStage<AuthOutcome> failed(int status, String reason, String user, AuthMethod method,
                                                       String tokenId) {
        return CompletableFuture.completedFuture(new AuthOutcome.Failed(status,
                status == 401 ? "invalid or missing credentials" : reason, reason, user, method, tokenId));
    }

    private static byte[] toBytes(char[] password) {
        java.nio.ByteBuffer b = StandardCharsets.UTF_8.encode(java.nio.CharBuffer.wrap(password));
        byte[] out = new byte[b.remaining()];
        b.get(out);
        if (b.hasArray()) {
            Arrays.fill(b.array(), (byte) 0);
        }
        return out;
    }

    private static void wipe(byte[] a, byte[] b) {
        if (a != null) {
            Arrays.fill(a, (byte) 0);
        }
        if (b != null) {
            Arrays.fill(b, (byte) 0);
        }
    }

    private static String printable(String s) {
        String cut = s.length() > 32 ? s.substring(0, 32) : s;
        return cut.replaceAll("[^\\x21-\\x7e]", "?");
    }
}
