package io.rampart.security.pipeline;

import io.rampart.security.limits.IdentityLimits;
import io.rampart.security.permission.CompiledPermissions;
import io.rampart.security.permission.Permission;
import io.rampart.security.spi.AuthenticationManager;
import io.rampart.security.spi.AuthenticationRequest;
import io.rampart.security.spi.AuthorizationManager;
import io.rampart.security.spi.Decision;
import io.rampart.security.spi.Grant;
import io.rampart.security.spi.Identity;
import io.rampart.security.spi.IdentityVariables;
import io.rampart.security.spi.Preprocessor;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The authentication and authorization chains of one pipeline. For a CONNECT: preprocessors derive
 * identity variables, the authentication managers are asked in order until one allows or denies, then
 * every authorization manager is asked: the permissions of all that allow are combined (in chain order; a
 * deny rule still overrides any allow rule) and so are their limits (the strictest of each wins), and one that
 * denies refuses the client. When every
 * authentication manager has no opinion the answer is "bad credentials". When no authorization manager
 * allows, the identity's own grants are used if it has any; a known user of a realm (an identity with a
 * {@link Identity#rolesRealm() user record}) is let in with no permissions; anyone else is "not authorized".
 *
 * <p>For a live session after a realm change ({@link #reauthorize}), the identity is first read again from
 * the realm that holds its user record, so removed users and revoked roles take effect; then the
 * authorization chain runs as for a CONNECT, except that a session nothing grants anything any more keeps
 * its connection with no permissions: only a deny (a removed or disabled user, a manager that refuses the
 * identity) refuses a live session.
 *
 * <p>Managers run on the pipeline's executor, never on the caller's thread, each call bounded by the
 * timeout; a timeout or failure refuses with {@link Decision.DenyKind#UNAVAILABLE} (fail closed). A CONNECT can
 * be followed manager by manager through a {@link ChainTrace}.
 */
public final class SecurityPipeline {

    private final String name;
    private final List<Preprocessor> preprocessors;
    private final List<AuthenticationManager> authenticators;
    private final List<AuthorizationManager> authorizers;
    private final Executor executor;
    private final Duration timeout;

    public SecurityPipeline(String name, List<Preprocessor> preprocessors, List<AuthenticationManager> authenticators,
                            List<AuthorizationManager> authorizers, Executor executor, Duration timeout) {
        this.name = name;
        this.preprocessors = List.copyOf(preprocessors);
        this.authenticators = List.copyOf(authenticators);
        this.authorizers = List.copyOf(authorizers);
        this.executor = executor;
        this.timeout = timeout;
    }

    public String name() {
        return name;
    }

    public List<AuthorizationManager> authorizers() {
        return authorizers;
    }

    public List<AuthenticationManager> authenticators() {
        return authenticators;
    }

    /** Runs the whole pipeline for a CONNECT. Never completes exceptionally. */
    public CompletionStage<SecurityResult> connect(IdentityVariables presented, byte[] password) {
        return connect(presented, password, null, null);
    }

    /**
     * Runs the whole pipeline for a CONNECT, or for an MQTT 5 re-authentication, with the enhanced
     * authentication method and data ({@code null} when not used). Never completes exceptionally.
     */
    public CompletionStage<SecurityResult> connect(IdentityVariables presented, byte[] password, String authMethod,
                                                   byte[] authData) {
        return connect(presented, password, authMethod, authData, ChainTrace.NONE);
    }

    /** As {@link #connect(IdentityVariables, byte[], String, byte[])}, telling {@code trace} about each manager asked. */
    public CompletionStage<SecurityResult> connect(IdentityVariables presented, byte[] password, String authMethod,
                                                   byte[] authData, ChainTrace trace) {
        return identified(presented, password, authMethod, authData, trace).thenCompose(result -> {
            if (result instanceof SecurityResult.Accepted identified) {
                return authorize(identified.identity(), identified.variables(), 0, new ArrayList<>(),
                        IdentityLimits.NONE, new ArrayList<>(), false, trace)
                        .exceptionally(e -> new SecurityResult.Refused(Decision.DenyKind.UNAVAILABLE,
                                "authorization failed: " + rootMessage(e), "pipeline", null));
            }
            return CompletableFuture.completedFuture(result);
        }).exceptionally(e -> new SecurityResult.Refused(Decision.DenyKind.UNAVAILABLE,
                "pipeline failed: " + rootMessage(e), "pipeline", null));
    }

    /**
     * Runs the preprocessors and the authentication chain only, for callers that turn the identity's roles into
     * permissions of their own (the admin plane). An accepted result carries {@link CompiledPermissions#NONE} and
     * the authorizer {@code "none"}. Never completes exceptionally.
     */
    public CompletionStage<SecurityResult> identify(IdentityVariables presented, byte[] password, String authMethod,
                                                    byte[] authData) {
        return identified(presented, password, authMethod, authData, ChainTrace.NONE)
                .exceptionally(e -> new SecurityResult.Refused(Decision.DenyKind.UNAVAILABLE,
                        "pipeline failed: " + rootMessage(e), "pipeline", null));
    }

    /** Preprocessors, then the authentication chain: the identity with its variables, or the refusal. */
    private CompletionStage<SecurityResult> identified(IdentityVariables presented, byte[] password,
                                                       String authMethod, byte[] authData, ChainTrace trace) {
        IdentityVariables variables = presented.copy();
        try {
            for (Preprocessor p : preprocessors) {
                p.apply(variables);
            }
        } catch (RuntimeException e) {
            return CompletableFuture.completedFuture(new SecurityResult.Refused(Decision.DenyKind.NOT_AUTHORIZED,
                    "preprocessing failed: " + e.getMessage(), "preprocessor", null));
        }
        AuthenticationRequest request = new AuthenticationRequest(variables.freeze(), password, authMethod, authData);
        return authenticate(request, 0, trace).thenApply(result -> {
            if (result instanceof SecurityResult.Refused refused) {
                return refused;
            }
            Identity identity = (Identity) result;
            IdentityVariables withAttributes = variables.copy();
            identity.attributes().forEach(withAttributes::set);
            return new SecurityResult.Accepted(identity, CompiledPermissions.NONE, withAttributes.freeze(), "none", List.of());
        });
    }

    /**
     * The identity variables a CONNECT that presents {@code presented} has once the preprocessors ran (the policy
     * simulator asks what the broker would decide for them).
     *
     * @throws IllegalArgumentException when a preprocessor refuses them; the message says why
     */
    public IdentityVariables preprocess(IdentityVariables presented) {
        IdentityVariables variables = presented.copy();
        try {
            for (Preprocessor p : preprocessors) {
                p.apply(variables);
            }
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("preprocessing failed: " + e.getMessage(), e);
        }
        return variables.freeze();
    }

    /**
     * User {@code username} of realm {@code realm} as a live session of it is re-authorized: read again, with its
     * current roles, through the authentication manager of this pipeline that checks passwords against that realm
     * (see {@link AuthenticationManager#refresh}). Deny when the realm no longer has the user; no opinion when no
     * such manager is in this pipeline. Never completes exceptionally.
     */
    public CompletionStage<Decision<Identity>> currentUser(String realm, String username, IdentityVariables variables) {
        for (AuthenticationManager manager : authenticators) {
            if (realm.equals(manager.realm()) && manager.checksPassword()) {
                Identity user = Identity.userOf(realm, manager.name(), username, java.util.Set.of(), java.util.Map.of());
                return call(() -> manager.refresh(user, variables), null).handle((decision, error) -> error == null
                        ? decision
                        : Decision.<Identity>deny(Decision.DenyKind.UNAVAILABLE,
                        unavailable(manager.name(), realm, error).reason()));
            }
        }
        return CompletableFuture.completedFuture(Decision.noOpinion("no authentication manager of pipeline '" + name
                + "' checks passwords against realm '" + realm + "'"));
    }

    /** Runs only the authorization chain for {@code identity}, as for a CONNECT. Never completes exceptionally. */
    public CompletionStage<SecurityResult> authorize(Identity identity, IdentityVariables variables) {
        return authorize(identity, variables, false);
    }

    private CompletionStage<SecurityResult> authorize(Identity identity, IdentityVariables variables, boolean live) {
        return authorize(identity, variables, 0, new ArrayList<>(), IdentityLimits.NONE, new ArrayList<>(), live,
                ChainTrace.NONE)
                .exceptionally(e -> new SecurityResult.Refused(Decision.DenyKind.UNAVAILABLE,
                        "authorization failed: " + rootMessage(e), "pipeline", null));
    }

    /**
     * Re-authorizes a live session after a realm change: reads the identity's user and roles again from the realm
     * that holds its user record (see {@link AuthenticationManager#refresh}), then runs the authorization chain
     * with that current identity. Never completes exceptionally.
     */
    public CompletionStage<SecurityResult> reauthorize(Identity identity, IdentityVariables variables) {
        AuthenticationManager vouching = identity.rolesRealm() == null ? null : authenticator(identity.manager());
        CompletionStage<Object> current = vouching == null ? CompletableFuture.completedFuture(identity)
                : call(() -> vouching.refresh(identity, variables), null).handle((decision, error) -> {
                    if (error != null) {
                        return unavailable(vouching.name(), vouching.realm(), error);
                    }
                    if (decision instanceof Decision.Allow<Identity> allow) {
                        return allow.value();
                    }
                    if (decision instanceof Decision.Deny<Identity> deny) {
                        return new SecurityResult.Refused(deny.kind(), deny.reason(), vouching.name(), vouching.realm());
                    }
                    return new SecurityResult.Refused(Decision.DenyKind.NOT_AUTHORIZED,
                            ((Decision.NoOpinion<Identity>) decision).reason(), vouching.name(), vouching.realm());
                });
        return current.thenCompose(result -> result instanceof SecurityResult.Refused refused
                        ? CompletableFuture.<SecurityResult>completedFuture(refused)
                        : authorize((Identity) result, variables, true))
                .exceptionally(e -> new SecurityResult.Refused(Decision.DenyKind.UNAVAILABLE,
                        "re-authorization failed: " + rootMessage(e), "pipeline", null));
    }

    private AuthenticationManager authenticator(String managerName) {
        for (AuthenticationManager manager : authenticators) {
            if (manager.name().equals(managerName)) {
                return manager;
            }
        }
        return null;
    }

    /** Completes with the {@link Identity} of the first manager that allows, or a {@link SecurityResult.Refused}. */
    private CompletionStage<Object> authenticate(AuthenticationRequest request, int index, ChainTrace trace) {
        if (index >= authenticators.size()) {
            return CompletableFuture.completedFuture(new SecurityResult.Refused(Decision.DenyKind.BAD_CREDENTIALS,
                    authenticators.isEmpty() ? "no authentication manager configured"
                            : "no authentication manager accepted the client", "pipeline", null));
        }
        AuthenticationManager manager = authenticators.get(index);
        AtomicLong started = started(trace);
        return call(() -> manager.authenticate(request), started).handle((decision, error) -> {
            report(trace, ChainTrace.Chain.AUTHENTICATION, manager.name(), manager.realm(), decision, error, started);
            if (error != null) {
                return CompletableFuture.<Object>completedFuture(unavailable(manager.name(), manager.realm(), error));
            }
            if (decision instanceof Decision.Allow<Identity> allow) {
                return CompletableFuture.<Object>completedFuture(allow.value());
            }
            if (decision instanceof Decision.Deny<Identity> deny) {
                return CompletableFuture.<Object>completedFuture(
                        new SecurityResult.Refused(deny.kind(), deny.reason(), manager.name(), manager.realm()));
            }
            return authenticate(request, index + 1, trace);
        }).thenCompose(stage -> stage);
    }

    /**
     * Asks authorizer {@code index} and the ones after it; {@code granted} collects the rules of those that allowed
     * so far, {@code limits} the strictest of their limits and {@code grantors} their names; {@code live} for the
     * re-authorization of a live session.
     */
    private CompletionStage<SecurityResult> authorize(Identity identity, IdentityVariables variables, int index,
                                                      List<Permission> granted, IdentityLimits limits,
                                                      List<String> grantors, boolean live, ChainTrace trace) {
        if (index >= authorizers.size()) {
            return CompletableFuture.completedFuture(combined(identity, variables, granted, limits, grantors, live));
        }
        AuthorizationManager manager = authorizers.get(index);
        AtomicLong started = started(trace);
        return call(() -> manager.authorize(identity, variables), started).handle((decision, error) -> {
            report(trace, ChainTrace.Chain.AUTHORIZATION, manager.name(), manager.realm(), decision, error, started);
            if (error != null) {
                return CompletableFuture.<SecurityResult>completedFuture(unavailable(manager.name(), manager.realm(), error));
            }
            if (decision instanceof Decision.Deny<Grant> deny) {
                return CompletableFuture.<SecurityResult>completedFuture(
                        new SecurityResult.Refused(deny.kind(), deny.reason(), manager.name(), manager.realm()));
            }
            IdentityLimits combinedLimits = limits;
            if (decision instanceof Decision.Allow<Grant> allow) {
                granted.addAll(allow.value().permissions());
                combinedLimits = limits.strictest(allow.value().limits());
                grantors.add(manager.name());
            }
            return authorize(identity, variables, index + 1, granted, combinedLimits, grantors, live, trace);
        }).thenCompose(stage -> stage);
    }

    /**
     * The outcome when every authorizer has answered. Nothing granted: a known user connects with no permissions, and
     * so does a live session keep its connection (only a deny, such as a removed user, refuses it); any other new
     * client is not authorized.
     */
    private static SecurityResult combined(Identity identity, IdentityVariables variables, List<Permission> granted,
                                           IdentityLimits limits, List<String> grantors, boolean live) {
        if (!grantors.isEmpty()) {
            return new SecurityResult.Accepted(identity, CompiledPermissions.compile(granted, variables), variables,
                    String.join("+", grantors), granted, limits);
        }
        if (!identity.grants().isEmpty()) {
            return new SecurityResult.Accepted(identity, CompiledPermissions.compile(identity.grants(), variables),
                    variables, identity.manager(), identity.grants());
        }
        if (identity.rolesRealm() != null || live) {
            return new SecurityResult.Accepted(identity, CompiledPermissions.NONE, variables, identity.manager(),
                    List.of());
        }
        return new SecurityResult.Refused(Decision.DenyKind.NOT_AUTHORIZED,
                "no authorization manager granted permissions to '" + identity.name() + "'", "pipeline", null);
    }

    /**
     * Calls a manager on the executor with the timeout applied; {@code started}, when given, is set to the
     * {@link System#nanoTime()} at which the manager begins to run.
     */
    private <T> CompletableFuture<T> call(java.util.function.Supplier<CompletionStage<T>> invocation,
                                          AtomicLong started) {
        java.util.function.Supplier<CompletionStage<T>> timed = started == null ? invocation : () -> {
            started.set(System.nanoTime());
            return invocation.get();
        };
        try {
            return CompletableFuture.supplyAsync(timed, executor)
                    .thenCompose(stage -> stage)
                    .toCompletableFuture()
                    .orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            return CompletableFuture.failedFuture(new IllegalStateException("authentication queue is full", e));
        }
    }

    /** When a traced manager call was asked for (replaced by when it began to run); {@code null} when untraced. */
    private static AtomicLong started(ChainTrace trace) {
        return trace == ChainTrace.NONE ? null : new AtomicLong(System.nanoTime());
    }

    private static void report(ChainTrace trace, ChainTrace.Chain chain, String manager, String realm,
                               Decision<?> decision, Throwable error, AtomicLong started) {
        if (started == null) {
            return;
        }
        ChainTrace.Outcome outcome;
        String reason;
        if (error != null) {
            outcome = ChainTrace.Outcome.UNAVAILABLE;
            reason = unavailable(manager, realm, error).reason();
        } else if (decision instanceof Decision.Allow<?>) {
            outcome = ChainTrace.Outcome.ALLOW;
            reason = null;
        } else if (decision instanceof Decision.Deny<?> deny) {
            outcome = ChainTrace.Outcome.DENY;
            reason = deny.reason();
        } else {
            outcome = ChainTrace.Outcome.NO_OPINION;
            reason = decision == null ? null : ((Decision.NoOpinion<?>) decision).reason();
        }
        trace.answered(chain, manager, realm, outcome, reason, started.get(), System.nanoTime());
    }

    private static SecurityResult.Refused unavailable(String manager, String realm, Throwable error) {
        Throwable cause = unwrap(error);
        String reason = cause instanceof TimeoutException ? "no answer within the timeout"
                : "failed: " + cause.getMessage();
        return new SecurityResult.Refused(Decision.DenyKind.UNAVAILABLE, reason, manager, realm);
    }

    private static Throwable unwrap(Throwable e) {
        Throwable t = e;
        while ((t instanceof java.util.concurrent.CompletionException || t instanceof java.util.concurrent.ExecutionException)
                && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    private static String rootMessage(Throwable e) {
        Throwable t = unwrap(e);
        return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    }
}
