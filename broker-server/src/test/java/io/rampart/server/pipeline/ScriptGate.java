package io.rampart.server.pipeline;

import io.rampart.core.session.SessionOwner;
import io.rampart.security.limits.IdentityLimits;
import io.rampart.server.gate.ClientPermissions;
import io.rampart.server.gate.ConnectDecision;
import io.rampart.server.gate.ConnectGate;
import io.rampart.server.gate.ConnectRequest;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.BiConsumer;

/**
 * A connection gate for the listener fuzz tests, standing in for the security pipeline. It answers at once or
 * only when the script says so, accepts everyone or cycles through the refusals (not authorized, bad
 * credentials, an exception = unavailable), and grants unrestricted or restricted permissions. A client with a
 * user name is authenticated as that name and owns its session; one without is anonymous. Actions the
 * broker attaches to its answers run as usual; one that throws is a finding (a completed future would
 * otherwise swallow it).
 */
final class ScriptGate implements ConnectGate {

    /** The MQTT 5 Authentication Method the gate supports. */
    static final String AUTH_METHOD = "FUZZ";

    private final boolean async;
    private final boolean refusals;
    private final boolean restricted;
    private final boolean disconnectOnPublishDenied;
    private final Findings findings;
    private final List<Runnable> pending = new ArrayList<>();
    private int decisions;

    ScriptGate(boolean async, boolean refusals, boolean restricted, boolean disconnectOnPublishDenied,
               Findings findings) {
        this.async = async;
        this.refusals = refusals;
        this.restricted = restricted;
        this.disconnectOnPublishDenied = disconnectOnPublishDenied;
        this.findings = findings;
    }

    @Override
    public CompletionStage<ConnectDecision> authenticate(ConnectRequest request) {
        int n = decisions++;
        int outcome = refusals ? n % 4 : 0;
        return answer(() -> switch (outcome) {
            case 1 -> ConnectDecision.refuse(ConnectDecision.Outcome.NOT_AUTHORIZED, "refused by the fuzz gate",
                    "fuzz", null);
            case 2 -> ConnectDecision.refuse(ConnectDecision.Outcome.BAD_CREDENTIALS, "bad credentials", "fuzz",
                    "fuzz-realm");
            case 3 -> throw new IllegalStateException("realm unreachable");
            default -> ConnectDecision.accept(permissions(), identity(request), "fuzz", "fuzz-realm",
                    disconnectOnPublishDenied).ownedBy(owner(request));
        });
    }

    @Override
    public boolean supportsAuthMethod(String method) {
        return AUTH_METHOD.equals(method);
    }

    @Override
    public CompletionStage<ConnectDecision> reauthenticate(ConnectRequest request, ClientPermissions current) {
        boolean accept = request.authData() != null && request.authData().length > 0 && request.authData()[0] % 2 == 0;
        return answer(() -> accept
                ? ConnectDecision.accept(permissions(), identity(request), "fuzz", "fuzz-realm", disconnectOnPublishDenied)
                        .ownedBy(owner(request))
                : ConnectDecision.refuse(ConnectDecision.Outcome.BAD_CREDENTIALS, "re-authentication refused", "fuzz",
                null));
    }

    /** Answers every decision still outstanding, in order. */
    void completePending() {
        List<Runnable> due = new ArrayList<>(pending);
        pending.clear();
        due.forEach(Runnable::run);
    }

    /** Clients that give a user name are that identity (and own their sessions); the others are anonymous. */
    private static String identity(ConnectRequest request) {
        return request.username() == null ? "anonymous" : request.username();
    }

    private static SessionOwner owner(ConnectRequest request) {
        return request.username() == null ? null : new SessionOwner("realm fuzz-realm", request.username());
    }

    private ClientPermissions permissions() {
        return restricted ? new Restricted(Instant.now()) : ClientPermissions.UNRESTRICTED;
    }

    private interface Decide {
        ConnectDecision decide();
    }

    private CompletionStage<ConnectDecision> answer(Decide decide) {
        Watched future = new Watched(findings);
        Runnable complete = () -> {
            try {
                future.complete(decide.decide());
            } catch (IllegalStateException e) {
                future.completeExceptionally(e);
            }
        };
        if (async) {
            pending.add(complete);
        } else {
            complete.run();
        }
        return future;
    }

    /** Reports what an action attached with {@code whenComplete} throws. */
    private static final class Watched extends CompletableFuture<ConnectDecision> {
        private final Findings findings;

        Watched(Findings findings) {
            this.findings = findings;
        }

        @Override
        public CompletableFuture<ConnectDecision> whenComplete(BiConsumer<? super ConnectDecision, ? super Throwable> action) {
            return super.whenComplete((decision, error) -> {
                try {
                    action.accept(decision, error);
                } catch (RuntimeException | Error e) {
                    findings.add("the broker's action on a gate decision threw " + e, e);
                    throw e;
                }
            });
        }
    }

    /**
     * Denies client ids starting with "bad", publishing to topics starting with "deny" and retained QoS 2,
     * subscribing to filters starting with "deny", to "#" and in share group "g0", and receiving topics
     * containing "secret". Its credential has expired: the session is closed at the first timer run after CONNACK.
     * It sets limits for its identity, as a realm does for a role or user.
     */
    private record Restricted(Instant expiresAt) implements ClientPermissions {

        /** The identity's limits: stricter publish rates, a smaller maximum packet size, a disconnect after 5 s. */
        private static final IdentityLimits LIMITS = new IdentityLimits(new IdentityLimits.Rate(5, 3), null,
                new IdentityLimits.Rate(5, 2), null, 256, Duration.ofSeconds(5));

        @Override
        public IdentityLimits limits() {
            return LIMITS;
        }

        @Override
        public String clientIdRefusal(String clientId) {
            return clientId.startsWith("bad") ? "client ids starting with 'bad' are refused" : null;
        }

        @Override
        public boolean mayPublish(String topic, int qos, boolean retain) {
            return !topic.startsWith("deny") && !(retain && qos == 2);
        }

        @Override
        public boolean maySubscribe(String filter, int qos, String shareGroup) {
            return !filter.startsWith("deny") && !filter.equals("#") && !"g0".equals(shareGroup);
        }

        @Override
        public boolean mayReceive(String topic) {
            return !topic.contains("secret");
        }
    }
}
