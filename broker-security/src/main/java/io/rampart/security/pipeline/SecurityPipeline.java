package io.rampart.security.pipeline;

import io.rampart.security.permission.CompiledPermissions;
import io.rampart.security.permission.Permission;
import io.rampart.security.spi.AuthenticationManager;
import io.rampart.security.spi.AuthenticationRequest;
import io.rampart.security.spi.AuthorizationManager;
import io.rampart.security.spi.Decision;
import io.rampart.security.spi.Identity;
import io.rampart.security.spi.IdentityVariables;
import io.rampart.security.spi.Preprocessor;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The authentication and authorization chains of one pipeline. For a CONNECT: preprocessors derive
 * identity variables, the authentication managers are asked in order until one allows or denies, then
 * the authorization managers in order until one allows (with permissions) or denies. When every
 * authentication manager has no opinion the answer is "bad credentials"; when every authorization manager
 * has no opinion the identity's own grants are used if it has any, otherwise "not authorized".
 *
 * <p>Managers run on the pipeline's executor, never on the caller's thread, each call bounded by the
 * timeout; a timeout or failure refuses with {@link Decision.DenyKind#UNAVAILABLE} (fail closed).
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
        return authenticate(request, 0).thenCompose(result -> {
            if (result instanceof SecurityResult.Refused refused) {
                return CompletableFuture.completedFuture(refused);
            }
            Identity identity = (Identity) result;
            IdentityVariables withAttributes = variables.copy();
            for (Map.Entry<String, String> e : identity.attributes().entrySet()) {
                withAttributes.set(e.getKey(), e.getValue());
            }
            return authorize(identity, withAttributes.freeze());
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
        return authenticate(request, 0).<SecurityResult>thenApply(result -> {
            if (result instanceof SecurityResult.Refused refused) {
                return refused;
            }
            Identity identity = (Identity) result;
            IdentityVariables withAttributes = variables.copy();
            identity.attributes().forEach(withAttributes::set);
            return new SecurityResult.Accepted(identity, CompiledPermissions.NONE, withAttributes.freeze(), "none");
        }).exceptionally(e -> new SecurityResult.Refused(Decision.DenyKind.UNAVAILABLE,
                "pipeline failed: " + rootMessage(e), "pipeline", null));
    }

    /** Runs only the authorization chain again, e.g. after a realm reload, for a live session. */
    public CompletionStage<SecurityResult> authorize(Identity identity, IdentityVariables variables) {
        return authorize(identity, variables, 0)
                .exceptionally(e -> new SecurityResult.Refused(Decision.DenyKind.UNAVAILABLE,
                        "authorization failed: " + rootMessage(e), "pipeline", null));
    }

    /** Completes with the {@link Identity} of the first manager that allows, or a {@link SecurityResult.Refused}. */
    private CompletionStage<Object> authenticate(AuthenticationRequest request, int index) {
        if (index >= authenticators.size()) {
            return CompletableFuture.completedFuture(new SecurityResult.Refused(Decision.DenyKind.BAD_CREDENTIALS,
                    authenticators.isEmpty() ? "no authentication manager configured"
                            : "no authentication manager accepted the client", "pipeline", null));
        }
        AuthenticationManager manager = authenticators.get(index);
        return call(() -> manager.authenticate(request)).handle((decision, error) -> {
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
            return authenticate(request, index + 1);
        }).thenCompose(stage -> stage);
    }

    private CompletionStage<SecurityResult> authorize(Identity identity, IdentityVariables variables, int index) {
        if (index >= authorizers.size()) {
            if (!identity.grants().isEmpty()) {
                return CompletableFuture.completedFuture(new SecurityResult.Accepted(identity,
                        CompiledPermissions.compile(identity.grants(), variables), variables, identity.manager()));
            }
            return CompletableFuture.completedFuture(new SecurityResult.Refused(Decision.DenyKind.NOT_AUTHORIZED,
                    "no authorization manager granted permissions to '" + identity.name() + "'", "pipeline", null));
        }
        AuthorizationManager manager = authorizers.get(index);
        return call(() -> manager.authorize(identity, variables)).handle((decision, error) -> {
            if (error != null) {
                return CompletableFuture.<SecurityResult>completedFuture(unavailable(manager.name(), manager.realm(), error));
            }
            if (decision instanceof Decision.Allow<List<Permission>> allow) {
                return CompletableFuture.<SecurityResult>completedFuture(new SecurityResult.Accepted(identity,
                        CompiledPermissions.compile(allow.value(), variables), variables, manager.name()));
            }
            if (decision instanceof Decision.Deny<List<Permission>> deny) {
                return CompletableFuture.<SecurityResult>completedFuture(
                        new SecurityResult.Refused(deny.kind(), deny.reason(), manager.name(), manager.realm()));
            }
            return authorize(identity, variables, index + 1);
        }).thenCompose(stage -> stage);
    }

    /** Calls a manager on the executor with the timeout applied. */
    private <T> CompletableFuture<T> call(java.util.function.Supplier<CompletionStage<T>> invocation) {
        try {
            return CompletableFuture.supplyAsync(invocation, executor)
                    .thenCompose(stage -> stage)
                    .toCompletableFuture()
                    .orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            return CompletableFuture.failedFuture(new IllegalStateException("authentication queue is full", e));
        }
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
