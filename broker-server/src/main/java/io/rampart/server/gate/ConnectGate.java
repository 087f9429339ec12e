package io.rampart.server.gate;

import io.rampart.security.pipeline.ChainTrace;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Decides whether a CONNECT may proceed. The connection reads nothing more until the returned stage
 * completes; implementations that do I/O must do it off the event loop. A stage completing
 * exceptionally is treated as "server unavailable".
 */
public interface ConnectGate {

    CompletionStage<ConnectDecision> authenticate(ConnectRequest request);

    /**
     * As {@link #authenticate(ConnectRequest)}, telling {@code trace} about each authentication and authorization
     * manager asked (distributed tracing). Default: the trace learns nothing.
     */
    default CompletionStage<ConnectDecision> authenticate(ConnectRequest request, ChainTrace trace) {
        return authenticate(request);
    }

    /** Whether a CONNECT may use this MQTT 5 Authentication Method here (otherwise: 0x8C). Default: none. */
    default boolean supportsAuthMethod(String method) {
        return false;
    }

    /**
     * MQTT 5 re-authentication of a live session ({@code AUTH} 0x19 with fresh authentication data). On success
     * the gate has replaced the identity and permissions behind {@code current} (including its expiry) and
     * answers an accepting decision; otherwise a refusal, and the connection is closed. Same threading rules as
     * {@link #authenticate}.
     */
    default CompletionStage<ConnectDecision> reauthenticate(ConnectRequest request, ClientPermissions current) {
        return CompletableFuture.completedFuture(ConnectDecision.refuse(ConnectDecision.Outcome.NOT_AUTHORIZED,
                "re-authentication is not supported on this listener", "listener", null));
    }
}
