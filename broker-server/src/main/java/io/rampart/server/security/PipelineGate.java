package io.rampart.server.security;

import io.rampart.core.session.SessionOwner;
import io.rampart.security.permission.CompiledPermissions;
import io.rampart.security.pipeline.SecurityPipeline;
import io.rampart.security.pipeline.SecurityResult;
import io.rampart.security.spi.AuthenticationManager;
import io.rampart.security.spi.AuthorizationManager;
import io.rampart.security.spi.Decision;
import io.rampart.security.spi.IdentityVariables;
import io.rampart.server.gate.ClientPermissions;
import io.rampart.server.gate.ConnectDecision;
import io.rampart.server.gate.ConnectGate;
import io.rampart.server.gate.ConnectRequest;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The connection gate of the listeners bound to one pipeline: runs the pipeline off the event loop
 * (after the brute-force brake's delay, if any), turns its result into a CONNACK decision, and keeps the
 * live sessions so that a realm change re-authorizes them without a reconnect.
 */
final class PipelineGate implements ConnectGate {

    private static final Logger LOG = LogManager.getLogger(PipelineGate.class);
    private static final int NOT_AUTHORIZED = 0x87;

    private final SecurityPipeline pipeline;
    private final boolean disconnectOnPublishDenied;
    private final boolean disconnectRemovedUsers;
    private final BruteForceBrake brake;
    private final ScheduledExecutorService timer;
    private final Set<SessionPermissions> live = ConcurrentHashMap.newKeySet();
    private final AtomicLong generation = new AtomicLong();
    private final Set<String> authMethods;
    private final AuthenticationProof proof;

    PipelineGate(SecurityPipeline pipeline, boolean disconnectOnPublishDenied, boolean disconnectRemovedUsers,
                 BruteForceBrake brake, ScheduledExecutorService timer) {
        this.pipeline = pipeline;
        this.disconnectOnPublishDenied = disconnectOnPublishDenied;
        this.disconnectRemovedUsers = disconnectRemovedUsers;
        this.brake = brake;
        this.timer = timer;
        for (AuthorizationManager authorizer : pipeline.authorizers()) {
            authorizer.onChange(this::reauthorizeAll);
        }
        Set<String> methods = new java.util.HashSet<>();
        for (AuthenticationManager authenticator : pipeline.authenticators()) {
            methods.addAll(authenticator.authenticationMethods());
        }
        this.authMethods = Set.copyOf(methods);
        this.proof = new AuthenticationProof(pipeline.authenticators());
    }

    @Override
    public boolean supportsAuthMethod(String method) {
        return authMethods.contains(method);
    }

    @Override
    public CompletionStage<ConnectDecision> authenticate(ConnectRequest request) {
        IdentityVariables vars = variables(request);
        InetAddress from = address(request);
        long delay = brake.delayMillis(from, request.username());
        long decidedAt = generation.get();
        CompletableFuture<SecurityResult> result;
        if (delay > 0) {
            result = new CompletableFuture<>();
            timer.schedule(() -> run(vars, request).whenComplete((r, e) -> {
                if (e != null) {
                    result.completeExceptionally(e);
                } else {
                    result.complete(r);
                }
            }), delay, TimeUnit.MILLISECONDS);
        } else {
            result = run(vars, request).toCompletableFuture();
        }
        return result.thenApply(r -> decide(r, request, decidedAt)
                .withLogNote(delay > 0 ? "answered after a brute-force delay of " + delay + " ms" : null));
    }

    /**
     * Runs the whole pipeline again with the AUTH packet's data. The re-authenticated identity must be the session's
     * (same name, same realm or manager): a token of another identity does not turn a session into someone else's.
     */
    @Override
    public CompletionStage<ConnectDecision> reauthenticate(ConnectRequest request, ClientPermissions current) {
        if (!(current instanceof SessionPermissions session) || !session.ownedBy(this)) {
            return CompletableFuture.completedFuture(ConnectDecision.refuse(ConnectDecision.Outcome.NOT_AUTHORIZED,
                    "session was not authenticated by this pipeline", "pipeline", null));
        }
        return run(variables(request), request).thenApply(result -> {
            if (result instanceof SecurityResult.Accepted accepted) {
                SessionOwner before = proof.owner(session.identity);
                SessionOwner after = proof.owner(accepted.identity());
                if (!Objects.equals(before, after)) {
                    return ConnectDecision.refuse(ConnectDecision.Outcome.NOT_AUTHORIZED, "re-authenticated as "
                            + (after == null ? "anonymous" : after) + " but the session belongs to "
                            + (before == null ? "anonymous" : before),
                            accepted.identity().manager(), accepted.identity().realm());
                }
                session.reauthenticated(accepted.identity(), accepted.variables(), accepted.permissions());
                return accepted(session, accepted);
            }
            return decide(result, request, generation.get());
        });
    }

    private CompletionStage<SecurityResult> run(IdentityVariables vars, ConnectRequest request) {
        return pipeline.connect(vars, request.password(), request.authMethod(), request.authData());
    }

    private static InetAddress address(ConnectRequest request) {
        if (request.remoteAddress() instanceof InetSocketAddress inet && inet.getAddress() != null) {
            return inet.getAddress();
        }
        return null;
    }

    private static IdentityVariables variables(ConnectRequest request) {
        IdentityVariables vars = new IdentityVariables()
                .set(IdentityVariables.CLIENT_ID, request.clientId())
                .set(IdentityVariables.USERNAME, request.username())
                .set(IdentityVariables.LISTENER, request.listener())
                .set(IdentityVariables.PROTOCOL_VERSION, Integer.toString(request.protocolVersion()));
        request.tlsVariables().forEach(vars::set);
        InetAddress address = address(request);
        if (address != null) {
            vars.set(IdentityVariables.REMOTE_ADDRESS, address.getHostAddress());
        }
        return vars;
    }

    private ConnectDecision decide(SecurityResult result, ConnectRequest request, long decidedAt) {
        InetAddress from = address(request);
        if (result instanceof SecurityResult.Accepted accepted) {
            // Only a success that proves the presented user name clears its counters: a valid certificate or
            // another user's password must not reset the guessing of this name.
            if (proof.provesUsername(accepted.identity(), request)) {
                brake.success(from, request.username());
            }
            SessionPermissions permissions = new SessionPermissions(this, accepted.identity(), accepted.variables(),
                    accepted.permissions(), decidedAt);
            return accepted(permissions, accepted)
                    .withLogNote(proof.passwordUnchecked(accepted.identity(), request) ? "password not checked" : null);
        }
        SecurityResult.Refused refused = (SecurityResult.Refused) result;
        if (refused.kind() == Decision.DenyKind.BAD_CREDENTIALS) {
            brake.failure(from, request.username());
        }
        ConnectDecision.Outcome outcome = switch (refused.kind()) {
            case BAD_CREDENTIALS -> ConnectDecision.Outcome.BAD_CREDENTIALS;
            case NOT_AUTHORIZED -> ConnectDecision.Outcome.NOT_AUTHORIZED;
            case UNAVAILABLE -> ConnectDecision.Outcome.SERVER_UNAVAILABLE;
        };
        return ConnectDecision.refuse(outcome, refused.reason(), refused.manager(), refused.realm());
    }

    private ConnectDecision accepted(SessionPermissions permissions, SecurityResult.Accepted accepted) {
        return ConnectDecision.accept(permissions, accepted.identity().name(),
                accepted.identity().manager() + (accepted.authorizer().equals(accepted.identity().manager())
                        ? "" : "+" + accepted.authorizer()),
                accepted.identity().realm(), disconnectOnPublishDenied).ownedBy(proof.owner(accepted.identity()));
    }

    void register(SessionPermissions session) {
        live.add(session);
        if (session.generation != generation.get()) {
            // The realm changed while this CONNECT was being decided: bring it up to date.
            reauthorize(session);
        }
    }

    void unregister(SessionPermissions session) {
        live.remove(session);
    }

    /** Re-runs the authorization chain for every live session (after a realm change). */
    void reauthorizeAll() {
        generation.incrementAndGet();
        LOG.info("pipeline '{}': permissions changed, re-authorizing {} live session(s)", pipeline.name(), live.size());
        for (SessionPermissions session : live) {
            reauthorize(session);
        }
    }

    private void reauthorize(SessionPermissions session) {
        pipeline.authorize(session.identity, session.variables).whenComplete((result, error) -> {
            if (result instanceof SecurityResult.Accepted accepted) {
                session.replace(accepted.permissions());
                return;
            }
            session.replace(CompiledPermissions.NONE);
            String reason = result instanceof SecurityResult.Refused refused ? refused.reason() : String.valueOf(error);
            if (disconnectRemovedUsers) {
                LOG.info("pipeline '{}': disconnecting '{}': {}", pipeline.name(), session.identity.name(), reason);
                session.disconnect(NOT_AUTHORIZED, "no longer authorized: " + reason);
            } else {
                LOG.info("pipeline '{}': '{}' keeps its connection but has no permissions now: {}",
                        pipeline.name(), session.identity.name(), reason);
            }
        });
    }
}
