package io.rampart.server.gate;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The gate of a listener without an authentication pipeline: clients are let in only when the
 * listener's configuration says {@code allow-anonymous: true}; otherwise every CONNECT is refused as
 * not authorized.
 */
public final class AnonymousListenerGate implements ConnectGate {

    private final boolean allowAnonymous;

    public AnonymousListenerGate(boolean allowAnonymous) {
        this.allowAnonymous = allowAnonymous;
    }

    @Override
    public CompletionStage<ConnectDecision> authenticate(ConnectRequest request) {
        ConnectDecision decision = allowAnonymous
                ? ConnectDecision.accept(ClientPermissions.UNRESTRICTED, "anonymous", "allow-anonymous", null, false)
                : ConnectDecision.refuse(ConnectDecision.Outcome.NOT_AUTHORIZED,
                        "listener '" + request.listener() + "' has no authentication pipeline and does not allow anonymous clients",
                        "listener", null);
        return CompletableFuture.completedFuture(decision);
    }
}
