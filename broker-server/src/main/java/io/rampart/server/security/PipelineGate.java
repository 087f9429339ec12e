package io.rampart.server.security;

import io.rampart.core.session.SessionOwner;
import io.rampart.security.limits.LimitsSyntax;
import io.rampart.security.pipeline.ChainTrace;
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
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The connection gate of the listeners bound to one pipeline: runs the pipeline off the event loop
 * (after the brute-force brake's delay, if any), turns its result into a CONNACK decision, and keeps the
 * live sessions so that a realm change re-authorizes them without a reconnect.
 *
 * <p>A realm change (a reload, a re-check, an explicit {@code Realm.recheck()}) starts one pass over the live
 * sessions; changes that arrive before the pass starts join it. Each session's current user, roles and
 * permissions are read again ({@link SecurityPipeline#reauthorize}), at most {@value #MAX_IN_FLIGHT} sessions at a
 * time so a large fleet cannot flood a realm's queue. A session whose permissions changed, or that lost its user,
 * is logged at INFO with who it is; an unchanged one is not.
 */
final class PipelineGate implements ConnectGate {

    private static final Logger LOG = LogManager.getLogger(PipelineGate.class);
    private static final int NOT_AUTHORIZED = 0x87;
    /** Re-authorizations of live sessions running at once during a pass. */
    static final int MAX_IN_FLIGHT = 32;

    private final SecurityPipeline pipeline;
    private final boolean disconnectOnPublishDenied;
    private final boolean disconnectRemovedUsers;
    private final BruteForceBrake brake;
    private final ScheduledExecutorService timer;
    private final Set<SessionPermissions> live = ConcurrentHashMap.newKeySet();
    private final AtomicLong generation = new AtomicLong();
    private final AtomicBoolean passPending = new AtomicBoolean();
    private final Set<String> authMethods;
    private final AuthenticationProof proof;

    PipelineGate(SecurityPipeline pipeline, boolean disconnectOnPublishDenied, boolean disconnectRemovedUsers,
                 BruteForceBrake brake, ScheduledExecutorService timer) {
        this.pipeline = pipeline;
        this.disconnectOnPublishDenied = disconnectOnPublishDenied;
        this.disconnectRemovedUsers = disconnectRemovedUsers;
        this.brake = brake;
        this.timer = timer;
        // A realm whose managers sit in both chains calls twice per change: the pass is shared.
        for (AuthorizationManager authorizer : pipeline.authorizers()) {
            authorizer.onChange(this::reauthorizeAll);
        }
        Set<String> methods = new java.util.HashSet<>();
        for (AuthenticationManager authenticator : pipeline.authenticators()) {
            methods.addAll(authenticator.authenticationMethods());
            authenticator.onChange(this::reauthorizeAll);
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
        return authenticate(request, ChainTrace.NONE);
    }

    @Override
    public CompletionStage<ConnectDecision> authenticate(ConnectRequest request, ChainTrace trace) {
        IdentityVariables vars = variables(request);
        InetAddress from = address(request);
        long delay = brake.delayMillis(from, request.username());
        long decidedAt = generation.get();
        CompletableFuture<SecurityResult> result;
        if (delay > 0) {
            result = new CompletableFuture<>();
            timer.schedule(() -> run(vars, request, trace).whenComplete((r, e) -> {
                if (e != null) {
                    result.completeExceptionally(e);
                } else {
                    result.complete(r);
                }
            }), delay, TimeUnit.MILLISECONDS);
        } else {
            result = run(vars, request, trace).toCompletableFuture();
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
        return run(variables(request), request, ChainTrace.NONE).thenApply(result -> {
            if (result instanceof SecurityResult.Accepted accepted) {
                SessionOwner before = proof.owner(session.identity);
                SessionOwner after = proof.owner(accepted.identity());
                if (!Objects.equals(before, after)) {
                    return ConnectDecision.refuse(ConnectDecision.Outcome.NOT_AUTHORIZED, "re-authenticated as "
                            + (after == null ? "anonymous" : after) + " but the session belongs to "
                            + (before == null ? "anonymous" : before),
                            accepted.identity().manager(), accepted.identity().realm());
                }
                session.startCheck(); // a re-authorization still running must not undo this one
                session.reauthenticated(accepted.identity(), accepted.variables(), accepted.permissions(),
                        accepted.granted(), accepted.limits());
                return accepted(session, accepted);
            }
            return decide(result, request, generation.get());
        });
    }

    private CompletionStage<SecurityResult> run(IdentityVariables vars, ConnectRequest request, ChainTrace trace) {
        return pipeline.connect(vars, request.password(), request.authMethod(), request.authData(), trace);
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
                    accepted.permissions(), accepted.granted(), accepted.limits(), decidedAt);
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

    /**
     * Re-authorizes every live session (after a realm change): starts a pass on the timer thread unless one is
     * already waiting to start, which then covers this change too.
     */
    void reauthorizeAll() {
        generation.incrementAndGet();
        if (passPending.compareAndSet(false, true)) {
            try {
                timer.execute(this::pass);
            } catch (RejectedExecutionException e) {
                passPending.set(false); // shutting down
            }
        }
    }

    private void pass() {
        passPending.set(false);
        Queue<SessionPermissions> sessions = new ConcurrentLinkedQueue<>(live);
        int total = sessions.size();
        LOG.debug("pipeline '{}': a realm changed, re-authorizing {} live session(s)", pipeline.name(), total);
        if (total == 0) {
            return;
        }
        AtomicInteger remaining = new AtomicInteger(total);
        AtomicInteger changed = new AtomicInteger();
        for (int i = 0; i < Math.min(MAX_IN_FLIGHT, total); i++) {
            next(sessions, remaining, changed, total);
        }
    }

    /** Re-authorizes the next session of a pass; each one that completes starts the next (bounded concurrency). */
    private void next(Queue<SessionPermissions> sessions, AtomicInteger remaining, AtomicInteger changed, int total) {
        SessionPermissions session = sessions.poll();
        if (session == null) {
            return;
        }
        reauthorize(session).whenComplete((wasChanged, error) -> {
            if (Boolean.TRUE.equals(wasChanged)) {
                changed.incrementAndGet();
            }
            if (remaining.decrementAndGet() == 0) {
                LOG.debug("pipeline '{}': re-authorized {} live session(s), {} changed", pipeline.name(), total,
                        changed.get());
            }
            try {
                timer.execute(() -> next(sessions, remaining, changed, total));
            } catch (RejectedExecutionException e) {
                // shutting down
            }
        });
    }

    /** Re-authorizes one session; completes with whether its permissions changed (or it lost them). */
    private CompletionStage<Boolean> reauthorize(SessionPermissions session) {
        long check = session.startCheck();
        return pipeline.reauthorize(session.identity, session.variables).handle((result, error) -> {
            if (!session.isLatestCheck(check)) {
                return false; // a newer re-authorization (or re-authentication) decides
            }
            return applied(session, result, error);
        });
    }

    private boolean applied(SessionPermissions session, SecurityResult result, Throwable error) {
        String who = who(session);
        if (result instanceof SecurityResult.Accepted accepted) {
            int before = session.ruleCount();
            boolean limitsChanged = session.differsInLimits(accepted.limits());
            if (limitsChanged) {
                LOG.info("pipeline '{}': limits of {} changed after a realm change: {}", pipeline.name(), who,
                        accepted.limits().isNone() ? "none" : LimitsSyntax.format(accepted.limits()));
            }
            if (!session.grant(accepted.granted(), accepted.permissions(), accepted.limits())) {
                return limitsChanged;
            }
            LOG.info("pipeline '{}': permissions of {} changed after a realm change: {} rule(s) now, {} before",
                    pipeline.name(), who, accepted.granted().size(), before < 0 ? "none" : Integer.toString(before));
            return true;
        }
        SecurityResult.Refused refused = result instanceof SecurityResult.Refused r ? r
                : new SecurityResult.Refused(Decision.DenyKind.UNAVAILABLE, String.valueOf(error), "pipeline", null);
        boolean had = session.revoke();
        if (refused.kind() == Decision.DenyKind.UNAVAILABLE) {
            // Not a verdict on the user: never a disconnect; the next re-check that gets an answer decides.
            if (had) {
                LOG.warn("pipeline '{}': {} has no permissions until its realm answers again: {}", pipeline.name(),
                        who, refused.reason());
            }
            return had;
        }
        if (disconnectRemovedUsers) {
            if (session.disconnect(NOT_AUTHORIZED, "no longer authorized: " + refused.reason())) {
                LOG.info("pipeline '{}': disconnected {}: {}", pipeline.name(), who, refused.reason());
                return true;
            }
            return false;
        }
        if (had) {
            LOG.info("pipeline '{}': {} keeps its connection but has no permissions now: {}", pipeline.name(), who,
                    refused.reason());
        }
        return had;
    }

    /** "'alice' (client 'dev-1')" for a log line, with client-chosen text made printable. */
    private static String who(SessionPermissions session) {
        return quote(session.identity.name()) + " (client " + quote(session.variables.get(IdentityVariables.CLIENT_ID))
                + ")";
    }

    private static String quote(String value) {
        if (value == null) {
            return "-";
        }
        StringBuilder sb = new StringBuilder(Math.min(value.length(), 128) + 2).append('\'');
        for (int i = 0; i < value.length() && i < 128; i++) {
            char c = value.charAt(i);
            sb.append(Character.isISOControl(c) ? '?' : c);
        }
        if (value.length() > 128) {
            sb.append("...");
        }
        return sb.append('\'').toString();
    }
}
